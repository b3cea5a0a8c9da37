"""The course holds: every solution passes, every starter fails, every check catches a real mistake,
with either sandbox; the portable one gives every submission the very verdicts the Linux one gives.

The portable sandbox starts an interpreter for every never-used app, so its grades of the starters and
mutants cost about twice the Linux one's: a second process makes them (``python tests/test_lessons.py
FILE``), on the machine's other core, while this one makes the Linux sandbox's.
"""

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
from grader.runner import grade
from grader.sandbox import Sandbox
from grader.sandbox.capabilities import ENV, Mechanism, linux_available

COURSE = Course.load()
LESSONS = [pytest.param(lesson, id=lesson.id) for lesson in COURSE.lessons]
MUTANTS = [pytest.param(lesson, mutant, id=f"{lesson.id}: {mutant.name}")
           for lesson in COURSE.lessons for mutant in mutants(lesson)]


STARTER = "the starter"
LINUX, PORTABLE = Mechanism.LINUX.value, Mechanism.PORTABLE.value
VERDICTS: dict[tuple[str, str, str], dict] = {}  # (sandbox, lesson, starter or mutant): each graded once
VERDICTS_LINE = "verdicts: "  # how the background grader's lines start (what else it may print is passed over)


def verdicts(mechanism: str, lesson_id: str, what: str) -> dict:
    """Score, maximum, load error and each check's pass, for ``lesson_id``'s starter or its mutant ``what``,
    graded with the sandbox ``mechanism``."""
    lesson = COURSE.find(lesson_id)
    with mock.patch.dict(os.environ, {ENV: mechanism}), tempfile.TemporaryDirectory() as folder:
        if what == STARTER:
            report = grade(COURSE, lesson, lesson.exercise, include_hidden=True)
        else:
            # A mutant names checks of its own lesson: the earlier lessons' checks need not run.
            next(mutant for mutant in mutants(lesson) if mutant.name == what).apply(lesson.solution,
                                                                                     Path(folder) / "submission")
            report = grade(COURSE, lesson, Path(folder) / "submission", include_hidden=True, regression=False)
    return {"score": report.score, "max_score": report.max_score, "load_error": report.load_error,
            "checks": {check.id: check.passed for check in report.checks}}


class Background:
    """The portable sandbox's verdicts, made by a second process in the order the tests will ask for them."""

    def __init__(self, wanted: list[tuple[str, str]], folder: Path) -> None:
        (folder / "wanted.json").write_text(json.dumps(wanted), encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, __file__, str(folder / "wanted.json")],
                                        stdout=subprocess.PIPE, text=True)
        # A Linux sandbox kills, when it closes, every child of this process but the live sandboxes' own.
        Sandbox.live.add(self.process.pid)

    def wait_for(self, key: tuple[str, str, str]) -> None:
        while key not in VERDICTS:
            line = self.process.stdout.readline()
            assert line, f"the background grader stopped (exit status {self.process.wait()}) before {key}"
            if line.startswith(VERDICTS_LINE):
                lesson_id, what, found = json.loads(line.removeprefix(VERDICTS_LINE))
                VERDICTS[PORTABLE, lesson_id, what] = found

    def stop(self) -> None:
        Sandbox.live.discard(self.process.pid)
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


@pytest.fixture(scope="module")
def background(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Started before the first test here, if any test here asks for the portable sandbox's grades."""
    wanted = []
    for item in request.session.items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if "background" in item.fixturenames and params and params["sandbox_mechanism"] == PORTABLE:
            lesson = params["lesson"]
            wanted.append((lesson.id, params["mutant"].name if "mutant" in params else STARTER))
    started = Background(wanted, tmp_path_factory.mktemp("background")) if wanted else None
    yield started
    if started is not None:
        started.stop()


def graded(mechanism: str, lesson: Lesson, what: str, background: Background | None) -> dict:
    """The verdicts on ``lesson``'s starter or mutant ``what`` with ``mechanism``, graded once."""
    key = (mechanism, lesson.id, what)
    if key not in VERDICTS:
        if mechanism == PORTABLE and background is not None:
            background.wait_for(key)
        else:
            VERDICTS[key] = verdicts(*key)
    return VERDICTS[key]


def assert_verdicts_as_with_linux(mechanism: str, lesson: Lesson, what: str, background: Background | None) -> None:
    if mechanism != LINUX and linux_available():
        assert graded(mechanism, lesson, what, background) == graded(LINUX, lesson, what, background)


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
def test_untouched_starter_fails(lesson, sandbox_mechanism, background):
    report = graded(sandbox_mechanism, lesson, STARTER, background)
    assert report["load_error"] is None, "a starter must import, so that students see failing checks, not a crash"
    assert not all(report["checks"].values())
    assert report["score"] < report["max_score"]
    assert_verdicts_as_with_linux(sandbox_mechanism, lesson, STARTER, background)


@pytest.mark.parametrize(("lesson", "mutant"), MUTANTS)
def test_mutant_is_caught(lesson, mutant, sandbox_mechanism, background):
    checks = graded(sandbox_mechanism, lesson, mutant.name, background)["checks"]
    for name in mutant.catches:
        passed = checks.get(f"{lesson.id}::{name}")
        assert passed is not None, f"{name} is not a check of {lesson.id}"
        assert not passed, f"{name} passed on the mutant {mutant.name!r}"
    assert_verdicts_as_with_linux(sandbox_mechanism, lesson, mutant.name, background)


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


if __name__ == "__main__":  # the background grader: the portable sandbox's verdicts, one JSON line each
    for lesson_id, what in json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")):
        print(VERDICTS_LINE + json.dumps([lesson_id, what, verdicts(PORTABLE, lesson_id, what)]), flush=True)
