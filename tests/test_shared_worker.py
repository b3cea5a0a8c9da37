"""A submission's checks share one worker process, yet what one check leaves behind never fails another
(with either sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring import mutants
from grader.course import Course
from grader.runner import grade
from grader.sandbox import Limits, Sandbox

COURSE = Course.load()
pytestmark = pytest.mark.usefixtures("sandbox_mechanism")


def test_checks_run_in_one_worker_until_it_is_discarded():
    lesson = COURSE.find("lesson1")
    with Sandbox(lesson.solution, lesson.app, lesson.config, Limits()) as sandbox:
        first = sandbox.worker_for_check()
        assert sandbox.worker_for_check() is first
        sandbox.discard_worker()
        assert first.closed
        assert sandbox.worker_for_check().pid != first.pid


def test_a_check_failing_on_leftovers_runs_again_on_a_never_used_app(monkeypatch: pytest.MonkeyPatch):
    # Lesson 3's app keeps its items in a module-level list. The autoescape check adds an item from
    # evil.example, so the domain filter check, run after it in the same process, sees one item
    # too many and fails; run again in a new worker, it passes, and that verdict counts.
    spawned: list[int] = []
    spawn = Sandbox.spawn

    def counting_spawn(sandbox: Sandbox, config=None):
        worker = spawn(sandbox, config)
        spawned.append(worker.pid)
        return worker

    monkeypatch.setattr(Sandbox, "spawn", counting_spawn)
    lesson = COURSE.find("lesson3")
    report = grade(COURSE, lesson, lesson.solution, regression=False)
    assert report.passed
    assert len(spawned) == 2


def test_a_factory_that_fails_on_its_second_call_fails_only_the_checks_that_look_for_it(tmp_path: Path):
    # create_app() sets up one module-level app, so the shared worker cannot build a second one
    # for the next check; every check that does not look for that runs again and passes.
    lesson = COURSE.find("lesson7")
    mutant = next(each for each in mutants(lesson) if each.name.startswith("the app is made once at module level"))
    mutant.apply(lesson.solution, tmp_path / "submission")
    report = grade(COURSE, lesson, tmp_path / "submission", regression=False)
    assert {check.id.split("::")[1] for check in report.checks if not check.passed} == set(mutant.catches)
