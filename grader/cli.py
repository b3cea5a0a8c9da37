"""The ``grade`` command.

``grade lesson3`` grades ``exercises/lesson3``; a first word that is not a sub-command names a
lesson. Exit codes: 0 every check passed, 1 some check failed, 2 bad usage, 3 the course itself is
broken (the last two with one line on stderr).
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click

from .course import COURSE_ROOT, Course, Lesson, UnknownLesson
from .report import Report
from .sandbox import Limits
from .submission import BadSubmission, graded

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_COURSE_BROKEN = 0, 1, 2, 3


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
        return ctx.invoke(list_lessons if show_list else show_progress)
    return None


def _root() -> Path:
    root = click.get_current_context().find_root().params.get("root")
    return (root or COURSE_ROOT).resolve()


def _course() -> Course:
    """The course of the workspace ``--root`` names (one-line errors if it is not one)."""
    root = _root()
    if not (root / "lessons" / "course.toml").is_file():
        raise click.UsageError(f"{root} is not a course workspace: it has no lessons/course.toml")
    try:
        return Course.load(root)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise CourseBroken(f"lessons/course.toml cannot be read ({error})") from None


def _warn(message: str) -> None:
    click.echo(f"grade: warning: {message}", err=True)


@cli.command("list")
def list_lessons() -> int:
    """List the lessons with their titles."""
    from rich.console import Console

    from .terminal import render_lessons

    render_lessons(Console(highlight=False), _course())
    return EXIT_PASSED


@cli.command("read")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--html", "as_html", is_flag=True, help="Print the lesson as an HTML page instead.")
def read_lesson(lesson_name: str, as_html: bool) -> int:
    """Show the text of LESSON, with highlighted code."""
    lesson = _find(_course(), lesson_name)
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


def limit_options(command: Any) -> Any:
    """The options that bound one submission (``grade LESSON``, ``grade batch``): see ``Limits``."""
    options = [
        click.option("--check-timeout", type=click.FloatRange(min=0.1), default=Limits.check_seconds,
                     show_default=True, help="Seconds one check may take."),
        click.option("--timeout", type=click.FloatRange(min=1), default=Limits.submission_seconds, show_default=True,
                     help="Seconds the whole submission may take."),
        click.option("--memory", type=click.IntRange(min=64), default=Limits.memory_mb, show_default=True,
                     help="Megabytes of memory the submission may use."),
        click.option("--output-limit", type=click.IntRange(min=1), default=Limits.output_kb, show_default=True,
                     help="Kilobytes the submission may print (or write to one file)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _limits(check_timeout: float, timeout: float, memory: int, output_limit: int) -> Limits:
    return Limits(check_seconds=check_timeout, submission_seconds=timeout, memory_mb=memory, output_kb=output_limit)


@cli.command("check")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--path", type=click.Path(path_type=Path),
              help="Grade this folder, archive (.zip, .tar.gz) or notebook (.ipynb) instead of exercises/LESSON.")
@click.option("--solution", is_flag=True, help="Grade the reference solution.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (Gradescope's results.json shape).")
@click.option("--html", "as_html", is_flag=True, help="Print the verdicts as an HTML fragment, as notebooks show them.")
@click.option("--instructor", is_flag=True, help="Include the hidden checks.")
@click.option("--check", "only", metavar="NAME",
              help="Show and judge only this check (test_name or lessonN::test_name); exit 0 if it passes.")
@click.option("--results", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write Gradescope's results.json to this file.")
@limit_options
@click.option("--watch", is_flag=True, help="Check again on every save, until Ctrl-C.")
@click.option("--poll", is_flag=True, help="With --watch: look for changes every 0.25 s instead of using file events.")
def check_lesson(lesson_name: str, path: Path | None, solution: bool, as_json: bool, as_html: bool, instructor: bool,
                 only: str | None, results: Path | None, check_timeout: float, timeout: float, memory: int,
                 output_limit: int, watch: bool, poll: bool) -> int:
    """Grade LESSON (lesson3, lesson03 or 3)."""
    course = _course()
    lesson = _find(course, lesson_name)
    if path is not None and solution:
        raise click.UsageError("use --path or --solution, not both")
    if as_json and as_html:
        raise click.UsageError("use --json or --html, not both")
    if poll and not watch:
        raise click.UsageError("--poll goes with --watch")
    if watch and (as_json or as_html):
        raise click.UsageError("--watch shows its verdicts in the terminal: leave out --json and --html")
    if watch and (only or results):
        raise click.UsageError("--watch shows every check in the terminal: leave out --check and --results")
    target = path if path is not None else lesson.solution if solution else None
    limits = _limits(check_timeout, timeout, memory, output_limit)
    if watch:
        return _watch(course, lesson, target, poll, include_hidden=instructor, limits=limits)
    report = _run(course, lesson, target, include_hidden=instructor, limits=limits)
    if only is not None:
        report = _only(report, only, instructor)
    if results is not None:
        from .exports import gradescope_results

        _write(results, json.dumps(gradescope_results(report), indent=2))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    elif as_html:
        from .html_report import report_html

        click.echo(report_html(course, lesson, report))
    else:
        from rich.console import Console

        from .terminal import render

        render(Console(highlight=False), course, lesson, report, whole=only is None)
    return EXIT_PASSED if report.passed else EXIT_FAILED


def _only(report: Report, name: str, instructor: bool) -> Report:
    """The report cut down to the one check ``name`` (for a test per check, as GitHub Classroom runs them)."""
    from dataclasses import replace

    kept = [check for check in report.checks if name in (check.id, check.id.split("::")[-1])]
    if not kept:
        hidden = "" if instructor else " (hidden checks run only with --instructor)"
        raise click.UsageError(f"{report.lesson} runs no check named {name!r}{hidden}")
    return replace(report, checks=kept)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.UsageError(f"cannot write {path} ({error.strerror or error})") from None


@cli.command("notebooks")
@click.option("--check", "check_only", is_flag=True, help="Change nothing: list stale notebooks and exit 1 if any.")
def make_notebooks(check_only: bool) -> int:
    """Generate notebooks/LESSON.ipynb for every lesson from its text and starter (only those that changed)."""
    from .notebook_build import NotebookSourceError, stale, write

    course = _course()
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


def _run(course: Course, lesson: Lesson, target: Path | None, *, include_hidden: bool = False,
         limits: Limits = Limits()) -> Report:
    """Grade ``target``, or the student's exercise when it is None (the runs that record progress)."""
    from .progress import grade_exercise
    from .runner import CourseError

    try:
        if target is not None:
            return graded(course, lesson, target, include_hidden=include_hidden, limits=limits)
        report, warning = grade_exercise(course, lesson, include_hidden=include_hidden, limits=limits)
    except BadSubmission as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    if warning:
        _warn(warning)
    return report


def _watch(course: Course, lesson: Lesson, target: Path | None, poll: bool, *, include_hidden: bool,
           limits: Limits) -> int:
    """Grade now and after every save until Ctrl-C; a broken app or course is shown, and watching goes on."""
    from rich.console import Console

    from .terminal import render
    from .watch import Watcher

    folder = target or lesson.exercise
    if not folder.is_dir():
        raise click.UsageError(f"--watch needs a folder, and {folder} is not one")
    console = Console(highlight=False)
    with Watcher(folder, poll=poll) as watcher:
        try:
            while True:
                try:
                    report: Report | None = _run(course, lesson, target, include_hidden=include_hidden, limits=limits)
                except click.ClickException as error:
                    report, problem = None, error.format_message()
                if watcher.interrupted:
                    break
                if console.is_terminal:
                    console.clear()
                if report is not None:
                    render(console, course, lesson, report)
                else:
                    console.print(f"grade: {problem}", style="bold red")
                console.print(f"Watching {folder} ({watcher.mode}): save to check again, Ctrl-C to stop.",
                              style="dim")
                console.file.flush()
                watcher.wait()
                console.print("Checking…")
                console.file.flush()
                watcher.settle()
        except KeyboardInterrupt:
            pass
    console.print("Stopped watching.")
    return EXIT_PASSED


def _confirm(question: str) -> bool:
    """Ask a yes/no question; no answer (no terminal, end of input) means no."""
    try:
        return click.confirm(question, default=False)
    except click.Abort:
        click.echo()
        return False


@cli.command("progress")
def show_progress() -> int:
    """Show which lessons pass, since when, and the next one to do."""
    from rich.console import Console

    from .progress import Progress
    from .terminal import render_progress

    course = _course()
    progress = Progress.load(course.root)
    if progress.warning:
        _warn(progress.warning)
    render_progress(Console(highlight=False), course, progress.statuses(course))
    return EXIT_PASSED


@cli.command("hint")
@click.argument("lesson_name", metavar="[LESSON]", required=False)
def show_hint(lesson_name: str | None) -> int:
    """Show the next, more specific hint for the first failing check of LESSON (default: the next lesson to do)."""
    from rich.console import Console
    from rich.text import Text

    from .hints import next_hint
    from .progress import Progress, next_lesson, updating
    from .terminal import render_hint

    course = _course()
    if lesson_name:
        lesson = _find(course, lesson_name)
    else:
        lesson = next_lesson(Progress.load(course.root).statuses(course)) or course.lessons[-1]
    report = _run(course, lesson, None)
    console = Console(highlight=False)
    console.print(Text(f"Lesson {lesson.number} · {lesson.title}", style="bold"))
    if report.load_error:
        console.print(f"Your app does not load ({report.load_error['title']}). Fix that first: "
                      f"`grade {lesson.id}` shows where.")
        return EXIT_FAILED
    try:
        with updating(course.root) as progress:
            step = next_hint(progress, report)
    except OSError as error:
        _warn(f"which hints you have seen is not saved ({error.strerror or error})")
        step = next_hint(Progress.load(course.root), report)
    if step is None:
        console.print(f"Every check of lesson {lesson.number} passes: no hint needed.", style="green")
        return EXIT_PASSED
    render_hint(console, lesson, step)
    return EXIT_PASSED


@cli.command("reset")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--yes", is_flag=True, help="Do not ask first (your files are still backed up).")
def reset_lesson(lesson_name: str, yes: bool) -> int:
    """Start LESSON over from its starter. Your files are first saved to .grade/backups/, never deleted."""
    from .workspace import ResetError, reset

    course = _course()
    lesson = _find(course, lesson_name)
    folder = f"exercises/{lesson.id}/"
    if not yes and not _confirm(f"Replace {folder} with the starter of lesson {lesson.number}? "
                                "Your files are backed up first."):
        click.echo("Nothing changed.")
        return EXIT_FAILED
    try:
        saved = reset(course.root, lesson)
    except ResetError as error:
        raise click.ClickException(str(error)) from None
    if saved is None:
        click.echo(f"{folder} is already the starter of lesson {lesson.number}: nothing to do.")
    else:
        click.echo(f"Saved your files to {saved.relative_to(course.root)}/ and restored the starter in {folder}")
    return EXIT_PASSED


@cli.command("solution")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--yes", is_flag=True, help="Show it even if LESSON has not passed yet, without asking.")
def show_solution(lesson_name: str, yes: bool) -> int:
    """Show LESSON's reference solution, as changes to your files: once the lesson passes, or after you confirm."""
    from rich.console import Console
    from rich.syntax import Syntax

    from .progress import Progress
    from .workspace import solution_diff

    course = _course()
    lesson = _find(course, lesson_name)
    if not yes and not Progress.load(course.root).has_passed(lesson) and not _confirm(
            f"Lesson {lesson.number} has not passed yet, and the solution gives the exercise away "
            f"(`grade hint {lesson.id}` helps one step at a time). Show it anyway?"):
        click.echo("Not shown.")
        return EXIT_FAILED
    console = Console(highlight=False)
    console.print(f"The reference solution of lesson {lesson.number} is in solutions/{lesson.id}/. "
                  f"Here it is as changes to your files (- yours, + the reference):", style="bold")
    diff = solution_diff(lesson)
    if diff:
        console.print(Syntax(diff, "diff", theme="ansi_dark").highlight(diff), soft_wrap=True)
    else:
        console.print("Your files already match it.")
    return EXIT_PASSED


@cli.command("doctor")
def doctor() -> int:
    """Check Python, the packages and this workspace, and say how to fix each problem."""
    from rich.console import Console

    from .doctor import Level, examine
    from .terminal import render_findings

    findings = examine(_root())
    render_findings(Console(highlight=False), findings)
    problems = sum(finding.level is Level.FAIL for finding in findings)
    click.echo(f"{problems} problem(s) to fix." if problems else "Everything is ready.")
    return EXIT_FAILED if problems else EXIT_PASSED


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (127.0.0.1: this computer only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free one).")
def serve(host: str, port: int) -> int:
    """Open the course as a web site: the lessons, your progress, and a "Check my work" button."""
    from waitress.server import create_server

    from .web.app import create_app

    course = _course()
    try:
        server = create_server(create_app(course.root), host=host, port=port)
    except (OSError, ValueError) as error:
        raise click.UsageError(f"cannot listen on {host}:{port} ({getattr(error, 'strerror', None) or error}): "
                               "try another --host or --port") from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"The course is at http://{shown}:{server.effective_port}/ (Ctrl-C to stop).")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    click.echo("Stopped.")
    return EXIT_PASSED


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
                summary: Path | None, check_timeout: float, timeout: float, memory: int, output_limit: int) -> int:
    """Grade every submission in SUBMISSIONS for LESSON, hidden checks included.

    One submission per student: a folder, a .zip or .tar.gz archive, or a .ipynb notebook, named after
    the student. Each grade goes into the gradebook as soon as it is known; run the command again to
    grade only what changed. Exit codes: 0 every submission has a grade, 1 some could not be graded,
    2 bad usage, 3 the course is broken, 130 interrupted.
    """
    import os

    from rich.console import Console

    from . import batch, exports
    from .batch_terminal import BatchProgress, render_summary
    from .gradebook import Gradebook, GradebookError
    from .runner import CourseError

    course = _course()
    lesson = _find(course, lesson_name)
    for output in (feedback, results):
        if output is not None and folder.resolve() in output.resolve().parents:
            raise click.UsageError(f"{output} is inside {folder}, where the next batch would take it for a "
                                   "student's submission: write it somewhere else")
    book = gradebook or folder / batch.GRADEBOOK
    try:
        with BatchProgress(Console(stderr=True)) as progress:
            outcome = batch.run(course, lesson, folder, book, jobs=jobs or len(os.sched_getaffinity(0)),
                                limits=_limits(check_timeout, timeout, memory, output_limit), force=force,
                                outputs=[path for path in (csv_file, summary) if path is not None],
                                started=progress.started, progress=progress.advance)
        with Gradebook(book) as grades:
            entries = grades.latest(lesson.id, outcome.students)
    except (batch.BatchError, GradebookError) as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    checks = exports.class_summary(entries)
    if csv_file is not None:
        _write_with(csv_file, lambda out: exports.lesson_csv(entries, out))
    if feedback is not None:
        exports.write_per_student(course, lesson, entries, feedback, feedback_format)
    if results is not None:
        exports.write_per_student(course, lesson, entries, results, "results.json")
    if summary is not None:
        _write(summary, exports.summary_markdown(lesson, checks))
    render_summary(Console(highlight=False), lesson, outcome, checks)
    if outcome.interrupted:
        return 130
    return EXIT_FAILED if outcome.count("error") else EXIT_PASSED


def _write_with(path: Path, write: Callable[[TextIO], None]) -> None:
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
    from .batch import GRADEBOOK
    from .exports import course_csv
    from .gradebook import Gradebook, GradebookError

    course = _course()
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
        _write_with(output, lambda out: course_csv(course, entries, out))
    return EXIT_PASSED


@export.command("gradescope")
@click.argument("lesson_name", metavar="LESSON")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The zip to write (default: gradescope-LESSON.zip).")
def export_gradescope(lesson_name: str, output: Path | None) -> int:
    """Build a Gradescope autograder zip for LESSON: setup.sh, run_autograder, the grader and the checks."""
    from .platforms import ExportError, gradescope_autograder

    course = _course()
    lesson = _find(course, lesson_name)
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
    from .platforms import ExportError, github_classroom
    from .runner import CourseError

    course = _course()
    lessons = [_find(course, name) for name in lesson_names] or list(course.lessons)
    try:
        written = github_classroom(course, lessons, output or course.root, overwrite=force)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    for path in written:
        click.echo(f"Wrote {path}")
    return EXIT_PASSED


def main() -> None:
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as error:  # usage errors exit with 2, a broken course with 3
        click.echo(f"grade: error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except click.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else EXIT_PASSED)
