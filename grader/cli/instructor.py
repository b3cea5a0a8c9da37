"""The instructor's commands: grade a whole class, grade one upload on an autograding platform, and export
grades and checks for other tools."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from ..sandbox import Limits
from .base import (EXIT_FAILED, EXIT_PASSED, CourseBroken, cli, current_course, find_lesson, limit_options,
                   only_check, require_confinement, terminal, unconfined_option, warn, write_text)


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
@unconfined_option
@limit_options
def batch_grade(lesson_name: str, folder: Path, jobs: int | None, force: bool, gradebook: Path | None,
                csv_file: Path | None, feedback: Path | None, feedback_format: str, results: Path | None,
                summary: Path | None, unconfined: bool, limits: Limits) -> int:
    """Grade every submission in SUBMISSIONS for LESSON, hidden checks included.

    One submission per student: a folder, a .zip or .tar.gz archive, or a .ipynb notebook, named after
    the student. Each grade goes into the gradebook as soon as it is known; run the command again to
    grade only what changed. Exit codes: 0 every submission has a grade, 1 some could not be graded,
    2 bad usage, 3 the course is broken, 4 refused: this machine cannot confine submissions (see
    grade doctor; --unconfined grades anyway), 130 interrupted.
    """
    from rich.console import Console

    from ..classroom import batch
    from ..classroom.feedback import write_per_student
    from ..classroom.gradebook import Gradebook, GradebookError
    from ..classroom.sheets import lesson_csv
    from ..classroom.summary import class_summary, summary_markdown
    from ..classroom.terminal import BatchProgress, render_summary
    from ..runner import CourseError

    course = current_course()
    lesson = find_lesson(course, lesson_name)
    for output in (feedback, results):
        if output is not None and folder.resolve() in output.resolve().parents:
            raise click.UsageError(f"{output} is inside {folder}, where the next batch would take it for a "
                                   "student's submission: write it somewhere else")
    book = gradebook or folder / batch.GRADEBOOK
    require_confinement(True, unconfined)

    try:
        with BatchProgress(Console(stderr=True)) as progress:
            outcome = batch.run(course, lesson, folder, book, jobs=jobs or _cores(),
                                limits=limits, force=force,
                                outputs=[path for path in (csv_file, summary) if path is not None],
                                started=progress.started, progress=progress.advance)
        with Gradebook(book) as grades:
            entries = grades.latest(lesson.id, outcome.students)
    except (batch.BatchError, GradebookError) as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    checks = class_summary(entries)
    render_summary(terminal(), lesson, outcome, checks)
    if outcome.interrupted:
        if any(path is not None for path in (csv_file, feedback, results, summary)):
            warn(f"interrupted with {len(outcome.students) - len(outcome.outcomes)} submissions left to grade: "
                 "no CSV, feedback, results or summary written (they would miss them); run the same command again")
        return 130
    if csv_file is not None:
        write_csv(csv_file, lambda out: lesson_csv(entries, out))
    if feedback is not None:
        write_per_student(course, lesson, entries, feedback, feedback_format)
    if results is not None:
        write_per_student(course, lesson, entries, results, "results.json")
    if summary is not None:
        write_text(summary, summary_markdown(lesson, checks))
    return EXIT_FAILED if outcome.count("error") else EXIT_PASSED


def _cores() -> int:
    """The cores this process may use (macOS and Windows cannot say which, only how many there are)."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def write_csv(path: Path, write: Callable[[TextIO], None]) -> None:
    """Call ``write`` with a CSV file that becomes ``path`` once complete, so that ``path`` is never left half
    written (one-line error if it cannot be written)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "w", newline="", encoding="utf-8") as out:
            write(out)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.UsageError(f"cannot write {path} ({error.strerror or error})") from None


@cli.command("autograde")
@click.argument("lesson_name", metavar="LESSON")
@click.argument("upload", metavar="UPLOAD", type=click.Path(path_type=Path))
@click.option("--instructor", is_flag=True, help="Include the hidden checks.")
@click.option("--check", "only", metavar="NAME", help="Show and judge only this check; exit 0 if it passes.")
@click.option("--earlier", is_flag=True, help="Show and judge only the earlier lessons' checks; exit 0 if they all pass.")
@click.option("--results", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write Gradescope's results.json to this file.")
@unconfined_option
@limit_options
def autograde(lesson_name: str, upload: Path, instructor: bool, only: str | None, earlier: bool, results: Path | None,
              unconfined: bool, limits: Limits) -> int:
    """Grade what a student uploaded to an autograding platform (Gradescope, GitHub Classroom) for LESSON.

    The app is looked for in UPLOAD: at its top, in exercises/LESSON/, as its one notebook or archive, or
    in its one folder. When it is nowhere, every check fails, saying what to hand in. With --instructor,
    exit 4 where the sandbox cannot confine the upload (unless --unconfined).
    """
    import json
    from dataclasses import replace

    from ..reports.gradescope import gradescope_results
    from ..reports.terminal import render
    from ..runner import CourseError
    from ..sandbox import BadSubmission
    from ..submission import graded, located, not_found

    course = current_course()
    lesson = find_lesson(course, lesson_name)
    if only and earlier:
        raise click.UsageError("use --check or --earlier, not both")
    if not upload.exists():
        raise click.UsageError(f"no such file or folder: {upload}")
    require_confinement(instructor, unconfined)
    try:
        report = graded(course, lesson, located(upload, lesson) or upload, include_hidden=instructor, limits=limits,
                        missing=not_found(upload, lesson))
    except BadSubmission as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    if only is not None:
        report = only_check(report, only, instructor)
    elif earlier:
        report = replace(report, checks=[check for check in report.checks if check.regression])
    if results is not None:
        write_text(results, json.dumps(gradescope_results(report), indent=2))
    render(terminal(), course, lesson, report, whole=not (only or earlier))
    return EXIT_PASSED if report.passed else EXIT_FAILED


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
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="The class list, one student per line: a row for each, in this order, even with nothing handed in.")
def export_course_csv(gradebooks: tuple[Path, ...], output: Path | None, roster: Path | None) -> int:
    """A CSV of the whole course: a row per student, a column per lesson (the latest grade), the total.

    GRADEBOOK is a gradebook file, or a folder graded with `grade batch` (its gradebook.sqlite). Students
    are matched whatever the case of their names; a cell says "not submitted" when a lesson's gradebooks
    have nothing from the student, "not graded" when the grader failed on what they handed in.
    """
    from ..classroom.batch import GRADEBOOK
    from ..classroom.gradebook import Gradebook, GradebookError
    from ..classroom.sheets import course_csv

    course = current_course()
    names = read_roster(roster) if roster is not None else []
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
    unlisted: list[str] = []
    if output is None:
        unlisted = course_csv(course, entries, sys.stdout, names)
    else:
        write_csv(output, lambda out: unlisted.extend(course_csv(course, entries, out, names)))
    if unlisted:
        warn(f"{len(unlisted)} graded students are not on the roster (their rows come last): {', '.join(unlisted)}")
    return EXIT_PASSED


def read_roster(path: Path) -> list[str]:
    """The students a roster file names, one a line (blank lines left out); one-line errors if it cannot be used."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(f"cannot read the roster {path} ({getattr(error, 'strerror', None) or error})") from None
    names = [line.strip() for line in lines if line.strip()]
    seen: dict[str, str] = {}
    for name in names:
        if name.casefold() in seen:
            raise click.UsageError(f"the roster {path} names {seen[name.casefold()]!r} twice (as {name!r}): keep one")
        seen[name.casefold()] = name
    if not names:
        raise click.UsageError(f"the roster {path} names no student: write one a line")
    return names


@export.command("gradescope")
@click.argument("lesson_name", metavar="LESSON")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The zip to write (default: gradescope-LESSON.zip).")
@click.option("--unconfined", is_flag=True,
              help="Grade even if Gradescope's container refuses the sandbox's namespaces (grades are then not "
                   "tamper-proof: each upload could read the hidden checks).")
def export_gradescope(lesson_name: str, output: Path | None, unconfined: bool) -> int:
    """Build a Gradescope autograder zip for LESSON: setup.sh, run_autograder, pinned requirements, the grader
    and the checks. Where the container cannot confine an upload, run_autograder fails with one line
    saying why, unless built with --unconfined."""
    from ..classroom.gradescope import gradescope_autograder
    from ..classroom.pins import ExportError

    course = current_course()
    lesson = find_lesson(course, lesson_name)
    target = output or Path(f"gradescope-{lesson.id}.zip")
    try:
        gradescope_autograder(course, lesson, target, unconfined=unconfined)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        raise click.UsageError(f"cannot write {target} ({error.strerror or error})") from None
    click.echo(f"Wrote {target}: upload it as the assignment's autograder (Gradescope: Configure Autograder, zip file).")
    return EXIT_PASSED


ARCHIVE_HOWTO = ("make one from a tag of the course: git archive --format=tar.gz --prefix=shelf/ -o shelf-v1.tar.gz v1, "
                 "publish it (a release asset) and give its URL and `sha256sum shelf-v1.tar.gz`")


@export.command("github-classroom")
@click.argument("lesson_names", metavar="[LESSON...]", nargs=-1)
@click.option("--course-url", metavar="URL",
              help="Where the workflow downloads the course (a .tar.gz of a release): its grader and checks.")
@click.option("--sha256", metavar="HEX", help="The sha256 of that archive: the workflow refuses any other.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="The repository to write .github/ into (default: the course's folder).")
@click.option("--template", is_flag=True,
              help="Also copy what students work with into it (exercises, lessons, notebooks, the grader), "
                   "without solutions/: the assignment's template repository.")
@click.option("--force", is_flag=True, help="Replace the files if they exist.")
def export_github_classroom(lesson_names: tuple[str, ...], course_url: str | None, sha256: str | None,
                            output: Path | None, template: bool, force: bool) -> int:
    """Write GitHub Classroom's autograding for LESSONs (default: every lesson): a test per visible check, with its
    points, and one per lesson for the earlier lessons' checks, all run by the grader of a pinned course archive."""
    from ..classroom.github import github_classroom
    from ..classroom.pins import ExportError
    from ..runner import CourseError

    if not course_url or not sha256:
        raise click.UsageError(f"the workflow installs the grader from a course archive, never from the student's "
                               f"repository: give --course-url URL and --sha256 HEX ({ARCHIVE_HOWTO})")
    course = current_course()
    lessons = [find_lesson(course, name) for name in lesson_names] or list(course.lessons)
    target = output or course.root
    try:
        written = github_classroom(course, lessons, target, course_url, sha256, overwrite=force, template=template)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    except CourseError as error:
        raise CourseBroken(str(error)) from None
    except OSError as error:
        raise click.UsageError(f"cannot write into {target} ({error.strerror or error})") from None
    for path in written:
        click.echo(f"Wrote {path}")
    if (target / "solutions").exists():
        warn(f"{target / 'solutions'} is there: remove it before this folder becomes the students' template "
             "(or write a clean one with --template -o FOLDER)")
    return EXIT_PASSED
