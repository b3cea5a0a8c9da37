"""What every ``grade`` command shares: the command group, the course it works on, errors and limits.

Exit codes: 0 every check passed, 1 some check failed, 2 bad usage, 3 the course itself is broken,
4 instructor grading refused where submissions would not be confined (the last three with one line
on stderr).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..course import COURSE_ROOT, Course, Lesson, UnknownLesson
from ..reports.escape import visible
from ..report import Report
from ..sandbox import Limits

if TYPE_CHECKING:
    from rich.console import Console

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_COURSE_BROKEN, EXIT_UNCONFINED = 0, 1, 2, 3, 4


class LessonGroup(click.Group):
    """Lets ``grade lesson3 --json`` mean ``grade check lesson3 --json``."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0] not in self.commands:
            args.insert(0, "check")
        return super().resolve_command(ctx, args)


class CourseBroken(click.ClickException):
    """The course itself is broken: not the student's fault."""

    exit_code = EXIT_COURSE_BROKEN


@click.group(cls=LessonGroup, invoke_without_command=True)
@click.option("--list", "show_list", is_flag=True, help="List the lessons.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="GRADE_ROOT",
              help="The course workspace, the folder with lessons/ and exercises/ (default: the one grade is "
                   "installed from; or set GRADE_ROOT).")
@click.pass_context
def cli(ctx: click.Context, show_list: bool, root: Path | None) -> int | None:
    """Check your work on the Shelf Flask course: grade lesson1, grade hint, grade serve.

    With no command, shows your progress and the next lesson to do.
    """
    if ctx.invoked_subcommand is None:
        return ctx.invoke(cli.commands["list" if show_list else "progress"])
    return None


def workspace_root() -> Path:
    root = click.get_current_context().find_root().params.get("root")
    return (root or COURSE_ROOT).resolve()


def current_course() -> Course:
    """The course of the workspace ``--root`` names (one-line errors if it is not one)."""
    root = workspace_root()
    if not (root / "lessons" / "course.toml").is_file():
        raise click.UsageError(f"{root} is not a course workspace: it has no lessons/course.toml")
    try:
        return Course.load(root)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise CourseBroken(f"lessons/course.toml cannot be read ({error})") from None


class Unconfined(click.ClickException):
    """Instructor grading where the sandbox cannot confine submissions, not accepted with ``--unconfined``."""

    exit_code = EXIT_UNCONFINED


def unconfined_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--unconfined", is_flag=True,
                        help="Grade even where the sandbox cannot confine submissions (grades are then not "
                             "tamper-proof).")(command)


def require_confinement(instructor: bool, accepted: bool) -> None:
    """Grades others rely on (``instructor``: with the hidden checks) need a confined sandbox: refuse
    without one, unless ``accepted`` (then warn). ``--unconfined`` alone is bad usage."""
    from ..sandbox.capabilities import mechanism, tamper_warning

    if accepted and not instructor:
        raise click.UsageError("--unconfined goes with --instructor")
    if not instructor:
        return
    warning = tamper_warning(mechanism())
    if warning is None:
        return
    if not accepted:
        raise Unconfined(f"not graded: {warning}; to grade anyway, pass --unconfined")
    warn(warning)


def terminal() -> Console:
    """The console a command prints its screens with: every text as written, with no highlighted numbers and
    no emoji for a :name:. rich is imported when a command prints, not when ``grade`` starts."""
    from rich.console import Console

    return Console(highlight=False, emoji=False)


def warn(message: str) -> None:
    click.echo(f"grade: warning: {visible(message)}", err=True)


def find_lesson(course: Course, name: str) -> Lesson:
    try:
        return course.find(name)
    except UnknownLesson as error:
        raise click.UsageError(str(error)) from None


def limit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that bound one submission (``grade LESSON``, ``grade batch``), given to ``command`` as
    one ``limits`` argument: see ``Limits``."""
    options = [
        click.option("--check-timeout", "check_seconds", type=click.FloatRange(min=0.1), default=Limits.check_seconds,
                     show_default=True, help="Seconds one check may take."),
        click.option("--cell-timeout", "cell_seconds", type=click.FloatRange(min=1), default=Limits.cell_seconds,
                     show_default=True, help="Seconds one cell of a handed-in notebook may take."),
        click.option("--timeout", "submission_seconds", type=click.FloatRange(min=1), default=Limits.submission_seconds,
                     show_default=True, help="Seconds the whole submission may take."),
        click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=Limits.memory_mb, show_default=True,
                     help="Megabytes of memory the submission may use."),
        click.option("--output-limit", "output_kb", type=click.IntRange(min=1), default=Limits.output_kb,
                     show_default=True, help="Kilobytes the submission may print (or write to one file)."),
        click.option("--strict", is_flag=True,
                     help="Give every check a never-used process and app (slower; the same verdicts)."),
    ]
    names = ("check_seconds", "cell_seconds", "submission_seconds", "memory_mb", "output_kb", "strict")

    @functools.wraps(command)
    def with_limits(**arguments: Any) -> Any:
        limits = Limits(**{name: arguments.pop(name) for name in names})
        return command(limits=limits, **arguments)

    for option in reversed(options):
        with_limits = option(with_limits)
    return with_limits


def only_check(report: Report, name: str, instructor: bool) -> Report:
    """The report cut down to the one check ``name`` (for a test per check, as GitHub Classroom runs them)."""
    from dataclasses import replace

    kept = [check for check in report.checks if name in (check.id, check.id.split("::")[-1])]
    if not kept:
        hidden = "" if instructor else " (hidden checks run only with --instructor)"
        raise click.UsageError(f"{report.lesson} runs no check named {name!r}{hidden}")
    return replace(report, checks=kept)


def write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.UsageError(f"cannot write {path} ({error.strerror or error})") from None
