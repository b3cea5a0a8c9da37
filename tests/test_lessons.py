"""The course holds: every solution passes, every starter fails, every check catches a real mistake,
with either sandbox; the portable one gives every submission the very verdicts the Linux one gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest

from grader.authoring import drift, mutants
from grader.course import Course, Lesson
from grader.report import Report
from grader.runner import grade
from grader.sandbox.capabilities import ENV, Mechanism, linux_available

COURSE = Course.load()
LESSONS = [pytest.param(lesson, id=lesson.id) for lesson in COURSE.lessons]
MUTANTS = [pytest.param(lesson, mutant, id=f"{lesson.id}: {mutant.name}")
           for lesson in COURSE.lessons for mutant in mutants(lesson)]


STARTER = "the starter"
GRADED: dict[tuple[str, str, str], Report] = {}  # (sandbox, lesson, starter or mutant): each graded once


def graded(mechanism: str, lesson: Lesson, what: str) -> Report:
    """The report on ``lesson``'s starter, or on its mutant named ``what``, with the sandbox ``mechanism``."""
    key = (mechanism, lesson.id, what)
    if key not in GRADED:
        with mock.patch.dict(os.environ, {ENV: mechanism}), tempfile.TemporaryDirectory() as folder:
            if what == STARTER:
                GRADED[key] = grade(COURSE, lesson, lesson.exercise, include_hidden=True)
            else:
                # A mutant names checks of its own lesson: the earlier lessons' checks need not run.
                next(mutant for mutant in mutants(lesson) if mutant.name == what).apply(lesson.solution,
                                                                                         Path(folder) / "submission")
                GRADED[key] = grade(COURSE, lesson, Path(folder) / "submission", include_hidden=True,
                                    regression=False)
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
        result = run_grade(lesson.id, "--solution", "--json", "--instructor")
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


@pytest.mark.parametrize(("lesson", "mutant"), MUTANTS)
def test_mutant_is_caught(lesson, mutant, sandbox_mechanism):
    report = graded(sandbox_mechanism, lesson, mutant.name)
    results = {check.id: check for check in report.checks}
    for name in mutant.catches:
        check = results.get(f"{lesson.id}::{name}")
        assert check is not None, f"{name} is not a check of {lesson.id}"
        assert not check.passed, f"{name} passed on the mutant {mutant.name!r}"
    assert_verdicts_as_with_linux(sandbox_mechanism, lesson, mutant.name)


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
