"""The instructor's commands: grade a whole class, and export grades and checks for other tools."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from ..sandbox import Limits
from .base import (EXIT_FAILED, EXIT_PASSED, CourseBroken, cli, current_course, find_lesson, limit_options, warn,
                   write_text)


@cli.command("batch")
@click.argument("lesson_name", metavar="LESSON")
@click.argument("folder", metavar="SUBMISSIONS", type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Submissions graded at once (default: one per core).")
@click.option("--force", is_flag=True, help="Grade every submission again, even those unchanged since last time.")
@click.option("--gradebook", type=click.Path(dir_okay=False, path_type=Path),
              help="The gradebook file (default: SUBMISSIONS/gradebook.sqlite).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the grades to this CSV file: a row per student, a column per check, the total.")
@click.option("--feedback", type=click.Path(file_okay=False, path_type=Path),
              help="Write each student's feedback to this folder (STUDENT.md or STUDENT.html).")
@click.option("--format", "feedback_format", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="The feedback's format.")
@click.option("--results", type=click.Path(file_okay=False, path_type=Path),
              help="Write each student's Gradescope results.json to this folder (STUDENT/results.json).")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the class summary (what to teach again) to this Markdown file.")
@limit_options
def batch_grade(lesson_name: str, folder: Path, jobs: int | None, force: bool, gradebook: Path | None,
                csv_file: Path | None, feedback: Path | None, feedback_format: str, results: Path | None,
                summary: Path | None, limits: Limits) -> int:
    """Grade every submission in SUBMISSIONS for LESSON, hidden checks included.

    One submission per student: a folder, a .zip or .tar.gz archive, or a .ipynb notebook, named after
    the student. Each grade goes into the gradebook as soon as it is known; run the command again to
    grade only what changed. Exit codes: 0 every submission has a grade, 1 some could not be graded,
    2 bad usage, 3 the course is broken, 130 interrupted.
    """
    from rich.console import Console

    from ..classroom import batch, exports
    from ..classroom.gradebook import Gradebook, GradebookError
    from ..classroom.terminal import BatchProgress, render_summary
    from ..runner import CourseError
    from ..sandbox.capabilities import mechanism, tamper_warning

    course = current_course()
    lesson = find_lesson(course, lesson_name)
    for output in (feedback, results):
        if output is not None and folder.resolve() in output.resolve().parents:
            raise click.UsageError(f"{output} is inside {folder}, where the next batch would take it for a "
                                   "student's submission: write it somewhere else")
    book = gradebook or folder / batch.GRADEBOOK

    def started(total: int, todo: int) -> None:
        if todo and (warning := tamper_warning(mechanism())):
            warn(warning)
        progress.started(total, todo)

    try:
        with BatchProgress(Console(stderr=True)) as progress:
            outcome = batch.run(course, lesson, folder, book, jobs=jobs or _cores(),
                                limits=limits, force=force,
                                outputs=[path for path in (csv_file, summary) if path is not None],
                                started=started, progress=progress.advance)
        with Gradebook(book) as grades:
            entries = grades.latest(lesson.id, outcome.students)
    except (batch.BatchError, GradebookError) as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    checks = exports.class_summary(entries)
    if csv_file is not None:
        write_csv(csv_file, lambda out: exports.lesson_csv(entries, out))
    if feedback is not None:
        exports.write_per_student(course, lesson, entries, feedback, feedback_format)
    if results is not None:
        exports.write_per_student(course, lesson, entries, results, "results.json")
    if summary is not None:
        write_text(summary, exports.summary_markdown(lesson, checks))
    render_summary(Console(highlight=False), lesson, outcome, checks)
    if outcome.interrupted:
        return 130
    return EXIT_FAILED if outcome.count("error") else EXIT_PASSED


def _cores() -> int:
    """The cores this process may use (macOS and Windows cannot say which, only how many there are)."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def write_csv(path: Path, write: Callable[[TextIO], None]) -> None:
    """Open ``path`` for a CSV writer and call ``write`` with it (one-line error if it cannot be written)."""
    try:
        with open(path, "w", newline="", encoding="utf-8") as out:
            write(out)
    except OSError as error:
        raise click.UsageError(f"cannot write {path} ({error.strerror or error})") from None


@cli.group("export", invoke_without_command=True)
@click.pass_context
def export(ctx: click.Context) -> int | None:
    """Write grades or checks for other tools: the course's CSV, Gradescope, GitHub Classroom."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        return EXIT_PASSED
    return None


@export.command("course-csv")
@click.argument("gradebooks", metavar="GRADEBOOK...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the CSV to this file (default: print it).")
def export_course_csv(gradebooks: tuple[Path, ...], output: Path | None) -> int:
    """A CSV of the whole course: a row per student, a column per lesson (the latest grade), the total.

    GRADEBOOK is a gradebook file, or a folder graded with `grade batch` (its gradebook.sqlite).
    """
    from ..classroom.batch import GRADEBOOK
    from ..classroom.exports import course_csv
    from ..classroom.gradebook import Gradebook, GradebookError

    course = current_course()
    entries = []
    for path in gradebooks:
        file = path / GRADEBOOK if path.is_dir() else path
        if not file.is_file():
            raise click.UsageError(f"no gradebook at {file}")
        try:
            with Gradebook(file) as grades:
                entries += list(grades.entries())
        except GradebookError as error:
            raise click.UsageError(str(error)) from None
    if output is None:
        course_csv(course, entries, sys.stdout)
    else:
        write_csv(output, lambda out: course_csv(course, entries, out))
    return EXIT_PASSED


@export.command("gradescope")
@click.argument("lesson_name", metavar="LESSON")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The zip to write (default: gradescope-LESSON.zip).")
def export_gradescope(lesson_name: str, output: Path | None) -> int:
    """Build a Gradescope autograder zip for LESSON: setup.sh, run_autograder, the grader and the checks."""
    from ..classroom.platforms import ExportError, gradescope_autograder

    course = current_course()
    lesson = find_lesson(course, lesson_name)
    target = output or Path(f"gradescope-{lesson.id}.zip")
    try:
        gradescope_autograder(course, lesson, target)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        raise click.UsageError(f"cannot write {target} ({error.strerror or error})") from None
    click.echo(f"Wrote {target}: upload it as the assignment's autograder (Gradescope: Configure Autograder, zip file).")
    return EXIT_PASSED


@export.command("github-classroom")
@click.argument("lesson_names", metavar="[LESSON...]", nargs=-1)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="The repository to write .github/ into (default: the course's folder).")
@click.option("--force", is_flag=True, help="Replace the files if they exist.")
def export_github_classroom(lesson_names: tuple[str, ...], output: Path | None, force: bool) -> int:
    """Write GitHub Classroom's autograding for LESSONs (default: every lesson): a test per check, with its points."""
    from ..classroom.platforms import ExportError, github_classroom
    from ..runner import CourseError

    course = current_course()
    lessons = [find_lesson(course, name) for name in lesson_names] or list(course.lessons)
    try:
        written = github_classroom(course, lessons, output or course.root, overwrite=force)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    for path in written:
        click.echo(f"Wrote {path}")
    return EXIT_PASSED
