"""The ``grade`` command.

``grade lesson3`` grades ``exercises/lesson3``; a first word that is not a sub-command names a
lesson. Exit codes: 0 every check passed, 1 some check failed, 2 bad usage, 3 the course itself is
broken (the last two with one line on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .course import Course, Lesson, UnknownLesson
from .sandbox import Limits
from .submission import BadSubmission, opened

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_COURSE_BROKEN = 0, 1, 2, 3


class LessonGroup(click.Group):
    """Lets ``grade lesson3 --json`` mean ``grade check lesson3 --json``."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0] not in self.commands:
            args.insert(0, "check")
        return super().resolve_command(ctx, args)


@click.group(cls=LessonGroup, invoke_without_command=True)
@click.option("--list", "show_list", is_flag=True, help="List the lessons.")
@click.pass_context
def cli(ctx: click.Context, show_list: bool) -> int | None:
    """Check your work on the Shelf Flask course: grade lesson1, grade list."""
    if ctx.invoked_subcommand is None:
        return ctx.invoke(list_lessons)
    return None


@cli.command("list")
def list_lessons() -> int:
    """List the lessons with their titles."""
    from rich.console import Console

    from .terminal import render_lessons

    render_lessons(Console(highlight=False), Course.load())
    return EXIT_PASSED


@cli.command("read")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--html", "as_html", is_flag=True, help="Print the lesson as an HTML page instead.")
def read_lesson(lesson_name: str, as_html: bool) -> int:
    """Show the text of LESSON, with highlighted code."""
    lesson = _find(Course.load(), lesson_name)
    if as_html:
        from .rendering import lesson_page

        click.echo(lesson_page(lesson))
    else:
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(lesson.text.read_text(encoding="utf-8"), code_theme="friendly"))
    return EXIT_PASSED


def _find(course: Course, name: str) -> Lesson:
    try:
        return course.find(name)
    except UnknownLesson as error:
        raise click.UsageError(str(error)) from None


@cli.command("check")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--path", type=click.Path(path_type=Path),
              help="Grade this folder or archive (.zip, .tar.gz) instead of exercises/LESSON.")
@click.option("--solution", is_flag=True, help="Grade the reference solution.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (Gradescope's results.json shape).")
@click.option("--instructor", is_flag=True, help="Include the hidden checks.")
@click.option("--check-timeout", type=click.FloatRange(min=0.1), default=Limits.check_seconds, show_default=True,
              help="Seconds one check may take.")
@click.option("--timeout", type=click.FloatRange(min=1), default=Limits.submission_seconds, show_default=True,
              help="Seconds the whole submission may take.")
@click.option("--memory", type=click.IntRange(min=64), default=Limits.memory_mb, show_default=True,
              help="Megabytes of memory the submission may use.")
@click.option("--output-limit", type=click.IntRange(min=1), default=Limits.output_kb, show_default=True,
              help="Kilobytes the submission may print (or write to one file).")
def check_lesson(lesson_name: str, path: Path | None, solution: bool, as_json: bool, instructor: bool,
                 check_timeout: float, timeout: float, memory: int, output_limit: int) -> int:
    """Grade LESSON (lesson3, lesson03 or 3)."""
    course = Course.load()
    lesson = _find(course, lesson_name)
    if path is not None and solution:
        raise click.UsageError("use --path or --solution, not both")
    target = path if path is not None else lesson.solution if solution else lesson.exercise
    limits = Limits(check_seconds=check_timeout, submission_seconds=timeout, memory_mb=memory,
                    output_kb=output_limit)

    from .runner import CourseError, grade

    try:
        with opened(target, lesson.package) as folder:
            report = grade(course, lesson, folder, include_hidden=instructor, limits=limits)
    except BadSubmission as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        click.echo(f"grade: error: {error}", err=True)
        return EXIT_COURSE_BROKEN
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        from rich.console import Console

        from .terminal import render

        render(Console(highlight=False), course, lesson, report)
    return EXIT_PASSED if report.passed else EXIT_FAILED


def main() -> None:
    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as error:
        click.echo(f"grade: error: {error.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except click.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else EXIT_PASSED)
