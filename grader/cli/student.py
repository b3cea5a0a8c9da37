"""The student's commands: grade a lesson (once or on every save), read it, see progress and hints,
start over, peek at the solution, check the set-up, and open the course's web site."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..course import Course, Lesson
from ..report import CheckResult, Report
from ..sandbox import BadSubmission, Limits
from ..submission import graded
from .base import (EXIT_FAILED, EXIT_PASSED, CourseBroken, cli, current_course, find_lesson, limit_options,
                   only_check, require_confinement, terminal, unconfined_option, warn, workspace_root,
                   write_text)
from .warm import leaves_warm


@cli.command("list")
def list_lessons() -> int:
    """List the lessons with their titles."""
    from ..student.screens import render_lessons

    render_lessons(terminal(), current_course())
    return EXIT_PASSED


@cli.command("read")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--html", "as_html", is_flag=True, help="Print the lesson as an HTML page instead.")
def read_lesson(lesson_name: str, as_html: bool) -> int:
    """Show the text of LESSON, with highlighted code."""
    lesson = find_lesson(current_course(), lesson_name)
    if as_html:
        from ..student.rendering import lesson_page

        click.echo(lesson_page(lesson))
    else:
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(lesson.text.read_text(encoding="utf-8"), code_theme="friendly"))
    return EXIT_PASSED


@cli.command("check")
@click.argument("lesson_name", metavar="LESSON")
@click.option("--path", type=click.Path(path_type=Path),
              help="Grade this folder, archive (.zip, .tar.gz) or notebook (.ipynb) instead of exercises/LESSON.")
@click.option("--solution", is_flag=True, help="Grade the reference solution.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (Gradescope's results.json shape).")
@click.option("--html", "as_html", is_flag=True, help="Print the verdicts as an HTML fragment, as notebooks show them.")
@click.option("--instructor", is_flag=True,
              help="Include the hidden checks (refused where submissions would not be confined).")
@unconfined_option
@click.option("--check", "only", metavar="NAME",
              help="Show and judge only this check (test_name or lessonN::test_name); exit 0 if it passes.")
@click.option("--results", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write Gradescope's results.json to this file.")
@limit_options
@click.option("--watch", is_flag=True, help="Check again on every save, until Ctrl-C.")
@click.option("--poll", is_flag=True, help="With --watch: look for changes every 0.25 s instead of using file events.")
@leaves_warm
def check_lesson(lesson_name: str, path: Path | None, solution: bool, as_json: bool, as_html: bool, instructor: bool,
                 unconfined: bool, only: str | None, results: Path | None, limits: Limits,
                 watch: bool, poll: bool) -> int:
    """Grade LESSON (lesson3, lesson03 or 3)."""
    course = current_course()
    lesson = find_lesson(course, lesson_name)
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
    require_confinement(instructor, unconfined)
    if watch:
        return _watch(course, lesson, target, poll, include_hidden=instructor, limits=limits)
    live = None
    if not (as_json or as_html):
        from ..reports.terminal import LiveReport

        live = LiveReport(terminal(), lesson)
    streamed = live.check if live is not None and only is None else None  # --check shows its one check only
    report = _run(course, lesson, target, include_hidden=instructor, limits=limits, on_check=streamed)
    if only is not None:
        report = only_check(report, only, instructor)
    if results is not None:
        from ..reports.gradescope import gradescope_results

        write_text(results, json.dumps(gradescope_results(report), indent=2))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    elif as_html:
        from ..reports.html import report_html

        click.echo(report_html(course, lesson, report))
    elif live is not None:
        live.finish(course, report, whole=only is None)
    return EXIT_PASSED if report.passed else EXIT_FAILED


def _run(course: Course, lesson: Lesson, target: Path | None, *, include_hidden: bool = False,
         limits: Limits = Limits(), on_check: Callable[[CheckResult], None] | None = None) -> Report:
    """Grade ``target``, or the student's exercise when it is None (the runs that record progress);
    ``on_check`` is given each verdict as soon as it is final."""
    from ..runner import CourseError
    from ..student.progress import grade_exercise

    try:
        if target is not None:
            return graded(course, lesson, target, include_hidden=include_hidden, limits=limits, on_check=on_check)
        report, warning = grade_exercise(course, lesson, include_hidden=include_hidden, limits=limits,
                                         on_check=on_check)
    except BadSubmission as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    if warning:
        warn(warning)
    return report


def _watch(course: Course, lesson: Lesson, target: Path | None, poll: bool, *, include_hidden: bool,
           limits: Limits) -> int:
    """Grade now and after every save until Ctrl-C, collecting the checks once; a broken app or course is
    shown, and watching goes on."""
    from ..reports.terminal import LiveReport
    from ..runner import CourseError, grade_repeatedly
    from ..student.progress import record
    from ..student.watch import Watcher
    from ..submission import digest

    folder = target or lesson.exercise
    if not folder.is_dir():
        raise click.UsageError(f"--watch needs a folder, and {folder} is not one")
    console = terminal()
    run: dict[str, Any] = {}

    def start() -> None:
        if console.is_terminal:
            console.clear()
        run.update(live=LiveReport(console, lesson), files=digest(folder) if target is None else None)

    def next_save() -> None:
        console.print(f"Watching {folder} ({watcher.mode}): save to check again, Ctrl-C to stop.", style="dim")
        console.file.flush()
        watcher.wait()
        console.print("Checking…")
        console.file.flush()
        watcher.settle()
        start()

    def graded(report: Report) -> bool:
        if watcher.interrupted:
            return False
        warning = record(course, lesson, report, run["files"]) if target is None else None
        run["live"].finish(course, report)
        if warning:
            warn(warning)
        next_save()
        return True

    with Watcher(folder, poll=poll) as watcher:
        try:
            start()
            while not watcher.interrupted:
                try:
                    grade_repeatedly(course, lesson, folder, graded, include_hidden=include_hidden, limits=limits,
                                     on_check=lambda result: run["live"].check(result))
                except CourseError as error:
                    console.print(f"grade: the course itself is broken ({error})", style="bold red")
                    next_save()
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
    from ..student.progress import Progress
    from ..student.screens import render_progress

    course = current_course()
    progress = Progress.load(course.root)
    if progress.warning:
        warn(progress.warning)
    render_progress(terminal(), course, progress.statuses(course))
    return EXIT_PASSED


@cli.command("hint")
@click.argument("lesson_name", metavar="[LESSON]", required=False)
def show_hint(lesson_name: str | None) -> int:
    """Show the next, more specific hint for the first failing check of LESSON (default: the next lesson to do)."""
    from rich.text import Text

    from ..student.hints import next_hint
    from ..student.progress import Progress, next_lesson, updating
    from ..student.screens import render_hint

    course = current_course()
    if lesson_name:
        lesson = find_lesson(course, lesson_name)
    else:
        lesson = next_lesson(Progress.load(course.root).statuses(course)) or course.lessons[-1]
    report = _run(course, lesson, None)
    console = terminal()
    console.print(Text(f"Lesson {lesson.number} · {lesson.title}", style="bold"))
    if report.load_error:
        console.print(f"Your app does not load ({report.load_error['title']}). Fix that first: "
                      f"`grade {lesson.id}` shows where.")
        return EXIT_FAILED
    try:
        with updating(course.root) as progress:
            step = next_hint(progress, report)
    except OSError as error:
        warn(f"which hints you have seen is not saved ({error.strerror or error})")
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
    from ..student.workspace import ResetError, reset

    course = current_course()
    lesson = find_lesson(course, lesson_name)
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
    from rich.syntax import Syntax

    from ..student.progress import Progress
    from ..student.workspace import solution_diff

    course = current_course()
    lesson = find_lesson(course, lesson_name)
    if not yes and not Progress.load(course.root).has_passed(lesson) and not _confirm(
            f"Lesson {lesson.number} has not passed yet, and the solution gives the exercise away "
            f"(`grade hint {lesson.id}` helps one step at a time). Show it anyway?"):
        click.echo("Not shown.")
        return EXIT_FAILED
    console = terminal()
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
    from ..student.doctor import Finding, Level, examine
    from ..student.screens import render_findings
    from .warm import status

    findings = [*examine(workspace_root()), Finding(Level.OK, status())]
    render_findings(terminal(), findings)
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

    from ..student.web.app import create_app

    course = current_course()
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
