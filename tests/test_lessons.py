"""The course holds: every solution passes, every starter fails, every check catches a real mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring import drift, mutants
from grader.course import Course
from grader.runner import grade

COURSE = Course.load()
LESSONS = [pytest.param(lesson, id=lesson.id) for lesson in COURSE.lessons]
MUTANTS = [pytest.param(lesson, mutant, id=f"{lesson.id}: {mutant.name}")
           for lesson in COURSE.lessons for mutant in mutants(lesson)]


def own_check_names(lesson) -> set[str]:
    report = grade(COURSE, lesson, lesson.solution, include_hidden=True)
    return {check.id.split("::")[1] for check in report.checks if check.lesson == lesson.id}


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_scores_full_marks(lesson):
    report = grade(COURSE, lesson, lesson.solution, include_hidden=True)
    failing = {check.id: check.failure for check in report.checks if not check.passed}
    assert report.load_error is None
    assert failing == {}
    assert report.score == report.max_score > 0


@pytest.mark.parametrize("lesson", LESSONS)
def test_untouched_starter_fails(lesson):
    report = grade(COURSE, lesson, lesson.exercise, include_hidden=True)
    assert report.load_error is None, "a starter must import, so that students see failing checks, not a crash"
    assert not report.passed
    assert report.score < report.max_score


@pytest.mark.parametrize(("lesson", "mutant"), MUTANTS)
def test_mutant_is_caught(lesson, mutant, tmp_path: Path):
    mutant.apply(lesson.solution, tmp_path / "submission")
    report = grade(COURSE, lesson, tmp_path / "submission", include_hidden=True)
    results = {check.id: check for check in report.checks}
    for name in mutant.catches:
        check = results.get(f"{lesson.id}::{name}")
        assert check is not None, f"{name} is not a check of {lesson.id}"
        assert not check.passed, f"{name} passed on the mutant {mutant.name!r}"


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
