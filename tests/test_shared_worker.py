"""A submission's checks share one worker process, yet what one check leaves behind never fails another
(with either sandbox): a check that fails there runs again on a never-used app, and one marked
``fresh_app`` gets a new app at once (from a factory, in the same worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring import mutants
from grader.course import Course
from grader.plugin import GraderPlugin
from grader.runner import grade
from grader.sandbox import Limits, Sandbox

COURSE = Course.load()
pytestmark = pytest.mark.usefixtures("sandbox_mechanism")


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pid of every worker spawned while the test runs."""
    pids: list[int] = []
    spawn = Sandbox.spawn

    def counting_spawn(sandbox: Sandbox, config=None):
        worker = spawn(sandbox, config)
        pids.append(worker.pid)
        return worker

    monkeypatch.setattr(Sandbox, "spawn", counting_spawn)
    return pids


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id (lessonN::test_name) of every check run in this process while the test runs, re-runs included."""
    checks: list[str] = []
    run_check = GraderPlugin._run_check

    def counting_run(plugin: GraderPlugin, item) -> None:
        checks.append(plugin._check_id(item))
        run_check(plugin, item)

    monkeypatch.setattr(GraderPlugin, "_run_check", counting_run)
    return checks


def test_checks_run_in_one_worker_until_it_is_discarded():
    lesson = COURSE.find("lesson1")
    with Sandbox(lesson.solution, lesson.app, lesson.config, Limits()) as sandbox:
        first = sandbox.worker_for_check()
        assert sandbox.worker_for_check() is first
        sandbox.discard_worker()
        assert first.closed
        assert sandbox.worker_for_check().pid != first.pid


def test_a_check_that_counts_on_a_never_used_app_runs_once_on_one(spawned: list[int], ran: list[str],
                                                                  sandbox_mechanism: str):
    # Lesson 3's app keeps its items in a module-level list. The autoescape check adds an item from
    # evil.example, which the domain filter check, run after it in the same process, would see as one
    # item too many: it is marked fresh_app, so it runs once, on a new app, and passes there (no check
    # runs twice). The Linux sandbox forks a new worker for it; the portable one, where a new worker is a
    # new Python process, imports the student's modules anew in the worker the checks run in.
    lesson = COURSE.find("lesson3")
    report = grade(COURSE, lesson, lesson.solution, regression=False)
    assert report.passed
    assert ran.count("lesson3::test_domain_filter") == 1
    # With Linux's, the first worker, then one for each of lesson 3's three fresh_app checks.
    assert len(spawned) == (4 if sandbox_mechanism == "linux" else 1)
    assert len(ran) == len(report.checks)


def test_a_check_that_counts_on_a_new_factory_app_gets_one_in_the_same_worker(spawned: list[int]):
    # Lesson 11's checks of the API count on an empty database (fresh_app): the factory builds each of
    # them a new app, with a new database, in the one worker all the checks run in.
    lesson = COURSE.find("lesson11")
    report = grade(COURSE, lesson, lesson.solution, regression=False)
    assert report.passed
    assert len(spawned) == 1


def test_the_check_after_a_failure_gets_a_never_used_app(spawned: list[int], ran: list[str],
                                                         monkeypatch: pytest.MonkeyPatch, sandbox_mechanism: str):
    # Lesson 7's starter fails each of lesson 7's checks. Each is judged once, on a never-used app of its
    # own, instead of failing after the failure before it and then running again. Not with the portable
    # mechanism, where a never-used app costs a new Python process: a check runs after the failure there,
    # and again on a never-used app when it fails too (which costs as many processes, and no more).
    monkeypatch.setattr("grader.runner._parallel", lambda: False)
    lesson = COURSE.find("lesson7")
    report = grade(COURSE, lesson, lesson.exercise, regression=False)
    assert not any(check.passed for check in report.checks)
    assert len(spawned) == len(report.checks)
    assert len(ran) == (len(report.checks) if sandbox_mechanism == "linux" else 2 * len(report.checks) - 1)


def test_a_factory_that_fails_on_its_second_call_fails_only_the_checks_that_look_for_it(tmp_path: Path):
    # create_app() sets up one module-level app, so the shared worker cannot build a second one
    # for the next check; every check that does not look for that runs again and passes.
    lesson = COURSE.find("lesson7")
    mutant = next(each for each in mutants(lesson) if each.name.startswith("the app is made once at module level"))
    mutant.apply(lesson.solution, tmp_path / "submission")
    report = grade(COURSE, lesson, tmp_path / "submission", regression=False)
    assert {check.id.split("::")[1] for check in report.checks if not check.passed} == set(mutant.catches)


@pytest.mark.parametrize("order", ["from the start", "from the end"])
@pytest.mark.parametrize("lesson", [pytest.param(lesson, id=lesson.id) for lesson in COURSE.lessons])
def test_no_check_runs_twice_on_the_solution(lesson, order: str, ran: list[str], monkeypatch: pytest.MonkeyPatch):
    # Leftovers never fail a check, but a check that fails on them costs a second run: one that counts
    # on a never-used app (starter items, no accounts) is marked fresh_app, and this names any that is not.
    # A student's grade runs checks in both orders: the second grader process takes them from the end.
    monkeypatch.setattr("grader.runner._parallel", lambda: False)  # every check run in this process, counted
    if order == "from the end":
        collect = GraderPlugin.pytest_collection_modifyitems

        def reversed_order(plugin: GraderPlugin, items: list) -> None:
            collect(plugin, items)
            items.reverse()

        monkeypatch.setattr(GraderPlugin, "pytest_collection_modifyitems", reversed_order)
    report = grade(COURSE, lesson, lesson.solution)
    assert report.passed
    twice = sorted({check for check in ran if ran.count(check) > 1})
    assert not twice, f"mark these @check(fresh_app=True): {', '.join(twice)}"


@pytest.mark.linux_sandbox("a second grader process is forked only with the Linux sandbox")
def test_a_check_marked_alone_runs_when_the_other_process_runs_none(ran: list[str], monkeypatch: pytest.MonkeyPatch):
    # Lesson 7's settings checks write instance/config.py (or hide the student's) for a moment, to build apps
    # with known settings: an app built then in the other grader process would read it (a SECRET_KEY where
    # the submission has none, seven items a page). In a student's grade, the first process runs them
    # once the second has ended.
    from grader.parallel import Helper

    monkeypatch.setattr("grader.runner._parallel", lambda: True)
    helped: list[int] = []
    results = Helper.results

    def noting_the_end(helper: Helper):
        found = results(helper)
        helped.append(len(ran))  # how many checks this process had run when the other's were in
        return found

    monkeypatch.setattr(Helper, "results", noting_the_end)
    lesson = COURSE.find("lesson8")  # lesson 7's checks are its regression gate
    report = grade(COURSE, lesson, lesson.solution)
    assert report.passed and helped
    alone = ["lesson7::test_default_settings", "lesson7::test_settings_layers"]
    assert all(ran.index(check) >= helped[0] for check in alone), (ran, helped)
