"""The course author's commands: keep the generated notebooks in step with the lessons."""

from __future__ import annotations

import click

from .base import EXIT_COURSE_BROKEN, EXIT_FAILED, EXIT_PASSED, cli, current_course


@cli.command("notebooks")
@click.option("--check", "check_only", is_flag=True, help="Change nothing: list stale notebooks and exit 1 if any.")
def make_notebooks(check_only: bool) -> int:
    """Generate notebooks/LESSON.ipynb for every lesson from its text and starter (only those that changed)."""
    from ..notebooks.build import NotebookSourceError, stale, write

    course = current_course()
    folder = course.root / "notebooks"
    try:
        changed = stale(course, folder) if check_only else write(course, folder)
    except NotebookSourceError as error:
        click.echo(f"grade: error: {error}", err=True)
        return EXIT_COURSE_BROKEN
    for path in changed:
        name = path.relative_to(course.root)
        click.echo(f"{name} is out of date: run `grade notebooks`" if check_only else f"wrote {name}")
    if not changed:
        click.echo("Every notebook is up to date.")
    return EXIT_FAILED if check_only and changed else EXIT_PASSED
