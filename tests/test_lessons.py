"""The course holds: every solution passes, every starter fails, every check catches a real mistake,
with either sandbox. Every verdict is the same whether the checks share a process and an app (a
failure run again on a never-used one) or each gets a never-used one (``strict``), in one grader
process or two, and the portable sandbox gives every submission the very verdicts the Linux one gives."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest

from grader.authoring import drift, mutants
from grader.course import Course, Lesson
from grader.report import Report
from grader.runner import grade, sandbox_for, session
from grader.sandbox import Limits
from grader.sandbox.capabilities import ENV, Mechanism, linux_available

COURSE = Course.load()
LESSONS = [pytest.param(lesson, id=lesson.id) for lesson in COURSE.lessons]
MUTANTS = [pytest.param(lesson, mutant, id=f"{lesson.id}: {mutant.name}")
           for lesson in COURSE.lessons for mutant in mutants(lesson)]


STARTER = "the starter"
GRADED: dict[tuple[str, str, str], Report] = {}  # (sandbox, lesson, starter): each graded once


def graded(mechanism: str, lesson: Lesson, what: str) -> Report:
    """The report on ``lesson``'s starter with the sandbox ``mechanism``."""
    key = (mechanism, lesson.id, what)
    if key not in GRADED:
        with mock.patch.dict(os.environ, {ENV: mechanism}):
            GRADED[key] = grade(COURSE, lesson, lesson.exercise, include_hidden=True)
    return GRADED[key]


def verdicts(report: Report) -> tuple:
    return report.score, report.max_score, report.load_error, [(check.id, check.passed) for check in report.checks]


def assert_verdicts_as_with_linux(mechanism: str, lesson: Lesson, what: str) -> None:
    if mechanism != Mechanism.LINUX.value and linux_available():
        assert verdicts(graded(mechanism, lesson, what)) == verdicts(graded(Mechanism.LINUX.value, lesson, what))


def own_check_names(lesson) -> set[str]:
    report = grade(COURSE, lesson, lesson.solution, include_hidden=True, regression=False)
    return {check.id.split("::")[1] for check in report.checks if check.lesson == lesson.id}


def run_grade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], check=False, capture_output=True, text=True, timeout=300)


def test_the_whole_course_is_gradable(sandbox_mechanism):
    """`grade list` shows the twelve lessons; walked in order, every `grade lessonN --solution` scores full marks."""
    listed = run_grade("list")
    assert listed.returncode == 0, listed.stderr
    assert [lesson.id for lesson in COURSE.lessons] == [f"lesson{number}" for number in range(1, 13)]
    for lesson in COURSE.lessons:
        assert lesson.id in listed.stdout and lesson.title in listed.stdout
    not_full = {}
    for lesson in COURSE.lessons:
        result = run_grade(lesson.id, "--solution", "--json", "--instructor", "--unconfined")
        report = json.loads(result.stdout)
        if result.returncode != 0 or report["score"] != report["max_score"] or report["max_score"] == 0:
            not_full[lesson.id] = {test["check"]: test["output"] for test in report["tests"] if test["status"] != "passed"}
    assert not_full == {}


@pytest.mark.parametrize("lesson", LESSONS)
def test_untouched_starter_fails(lesson, sandbox_mechanism):
    report = graded(sandbox_mechanism, lesson, STARTER)
    assert report.load_error is None, "a starter must import, so that students see failing checks, not a crash"
    assert not report.passed
    assert report.score < report.max_score
    assert_verdicts_as_with_linux(sandbox_mechanism, lesson, STARTER)


Verdicts = dict[str, tuple[float, dict[str, bool]]]
LINUX, PORTABLE = Mechanism.LINUX.value, Mechanism.PORTABLE.value


def graded_in_one_session(lesson, submissions: dict[str, Path], limits: Limits, regression: bool,
                          parallel: bool = False, mechanism: str | None = None) -> Verdicts:
    """Every submission's score and check statuses, graded one after another in one pytest session (as a
    batch does, or with ``parallel`` as a student's `grade` does), each in its own sandbox."""
    verdicts: Verdicts = {}

    def serve(run):
        for name, path in submissions.items():
            with sandbox_for(COURSE, lesson, path, limits) as sandbox:
                report = run(sandbox)
            verdicts[name] = (report.score, {check.id: check.passed for check in report.checks})

    with mock.patch.dict(os.environ, {ENV: mechanism} if mechanism else {}):
        session(COURSE, lesson, serve, include_hidden=True, regression=regression, parallel=parallel)
    return verdicts


def in_a_process_of_its_own(compute: Callable[[], Verdicts]) -> Callable[[], Verdicts]:
    """Start ``compute`` in a forked process (where there is fork: the ways of grading a lesson's mutants take
    a minute or more each, and use a core each); the function returned waits for its verdicts."""
    if not hasattr(os, "fork"):
        return compute
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read)
            with os.fdopen(write, "w", encoding="utf-8") as pipe:
                json.dump(compute(), pipe)
        except BaseException:  # noqa: BLE001 - the parent says what went wrong, with the traceback here
            traceback.print_exc()
        finally:
            os._exit(0)
    os.close(write)

    def verdicts() -> Verdicts:
        with os.fdopen(read, encoding="utf-8") as pipe:
            sent = pipe.read()
        os.waitpid(pid, 0)
        assert sent, "the process grading the mutants failed (its traceback is in the captured output)"
        return {name: (score, statuses) for name, (score, statuses) in json.loads(sent).items()}

    return verdicts


@pytest.fixture(scope="module")
def mutant_verdicts(tmp_path_factory) -> Callable[[Lesson], dict[str, Verdicts]]:
    """Per lesson, the verdicts on its mutants: with each sandbox, and ``strict`` (every check on a never-used
    process and app) with the Linux one, each way in a process of its own, at the same time."""
    cache: dict[str, dict[str, Verdicts]] = {}

    def of(lesson: Lesson) -> dict[str, Verdicts]:
        if lesson.id not in cache:
            folder = tmp_path_factory.mktemp(lesson.id)
            submissions = {}
            for index, mutant in enumerate(mutants(lesson)):
                mutant.apply(lesson.solution, folder / str(index))
                submissions[mutant.name] = folder / str(index)
            modes = {PORTABLE: (Limits(), PORTABLE)}
            if linux_available():
                modes |= {LINUX: (Limits(), LINUX), "strict": (Limits(strict=True), LINUX)}
            # A mutant names checks of its own lesson: the earlier lessons' checks need not run.
            running = {mode: in_a_process_of_its_own(functools.partial(
                graded_in_one_session, lesson, submissions, limits, regression=False, mechanism=mechanism))
                for mode, (limits, mechanism) in modes.items()}
            cache[lesson.id] = {mode: verdicts() for mode, verdicts in running.items()}
        return cache[lesson.id]

    return of


@pytest.mark.parametrize(("lesson", "mutant"), MUTANTS)
def test_mutant_is_caught(lesson, mutant, sandbox_mechanism, mutant_verdicts):
    _, statuses = mutant_verdicts(lesson)[sandbox_mechanism][mutant.name]
    for name in mutant.catches:
        assert f"{lesson.id}::{name}" in statuses, f"{name} is not a check of {lesson.id}"
        assert not statuses[f"{lesson.id}::{name}"], f"{name} passed on the mutant {mutant.name!r}"


@pytest.mark.linux_sandbox("strict and two-process grading are compared with the Linux sandbox")
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_way_of_grading_gives_the_same_verdicts(lesson, mutant_verdicts):
    """On every mutant: checks sharing a process and an app decide as a never-used process and app for every
    check, and the portable sandbox as the Linux one. On the solution and the starter, with the earlier
    lessons' checks: the same, in one grader process (a batch) or two (a student's `grade`)."""
    verdicts = mutant_verdicts(lesson)
    assert verdicts[LINUX] == verdicts["strict"]
    assert verdicts[PORTABLE] == verdicts[LINUX]
    whole = {"solution": lesson.solution, "starter": lesson.exercise}
    strict = graded_in_one_session(lesson, whole, Limits(strict=True), regression=True, mechanism=LINUX)
    assert graded_in_one_session(lesson, whole, Limits(), regression=True, mechanism=LINUX) == strict
    assert graded_in_one_session(lesson, whole, Limits(), regression=True, parallel=True, mechanism=LINUX) == strict


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_check_has_a_mutant(lesson):
    caught = {name for mutant in mutants(lesson) for name in mutant.catches}
    assert own_check_names(lesson) - caught == set()


@pytest.mark.parametrize("lesson", LESSONS)
def test_exercise_is_previous_solution_plus_todos(lesson):
    assert drift(COURSE, lesson) == []


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_has_text_and_files(lesson):
    assert lesson.text.exists()
    assert lesson.checks.exists()
    assert lesson.exercise.is_dir() and lesson.solution.is_dir()
