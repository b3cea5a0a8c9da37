"""The pytest plugin that turns a lesson's ``checks.py`` into graded checks.

It provides the fixtures a check asks for (``app``, ``client``, ``runner``: the app in the
sandbox, with new test clients for every check), chooses which checks run (earlier lessons'
checks as a regression gate, minus retired ones; hidden ones only for instructors), and records
each verdict from pytest's hooks, never from pytest's text output. The checks are collected once
and can then be run on one submission after another (``run``), each in its own sandbox.

The checks of a submission run one after another in one worker process. A check that fails after
others ran there runs again in a new worker, forked from the freshly imported app, and that
verdict counts: a failure is never caused by what an earlier check left behind in the process, and
a submission that passes costs one fork, not one per check. (A check that ran out of time is not
run again: that would double the wait for an endless loop.) The lesson's own checks run first, and
a student's ``grade`` shares the checks with a second grader process (``parallel``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from .course import Course, Lesson
from .expectations import CheckFailure
from .remote import App, Client, CliRunner
from .report import CheckResult, Report
from .parallel import Claims, Helper
from .sandbox import AppDidNotLoad, LimitExceeded, Sandbox, StudentError, TimedOut

WORKER = pytest.StashKey[Any]()
MIN_PARALLEL = 16  # fewer checks than this are not worth a second process


def check(points: float = 1, hints: Sequence[str] = (), hidden: bool = False,
          config: Mapping[str, Any] | None = None, fresh_app: bool = False, alone: bool = False) -> pytest.MarkDecorator:
    """Mark a test function as a graded check. Its docstring's first line is its title.

    ``hints`` go from gentle to specific: the first is shown with a failure, the rest on request.
    ``config`` adds settings to the test config this check's app is built with (factory apps).
    ``fresh_app``: the check counts on what a new app holds (its starter items, no accounts), so it gets
    one at once, instead of failing on the earlier checks' leftovers and running again: from a factory,
    built anew in the worker the checks run in; a module-level app, in a never-used worker.
    ``alone``: the check changes the submission's files while it runs (e.g. writes instance/config.py), which
    an app built at the same time in the other grader process would read: it runs when no other check does.
    """
    return pytest.mark.check(points=points, hints=tuple(hints), hidden=hidden, config=dict(config or {}),
                             fresh_app=fresh_app, alone=alone)


def _marker(item: pytest.Item) -> pytest.Mark:
    marker = item.get_closest_marker("check")
    assert marker is not None  # only checks are collected
    return marker


def explain(error: BaseException) -> dict[str, Any]:
    """A failed check's exception → the pieces a student reads."""
    if isinstance(error, CheckFailure):
        return {"expected": error.expected, "got": error.got, "sent": error.sent, "note": error.note}
    if isinstance(error, StudentError):
        return {"sent": error.action, "error": error.info, "expected": "no exception"}
    if isinstance(error, LimitExceeded):
        return {"limit": str(error), "expected": str(error)}
    if isinstance(error, AppDidNotLoad):
        return {"load_error": error.info, "expected": f"your app to load ({error.info['title']})"}
    if isinstance(error, AssertionError):
        return {"expected": str(error).split("\nassert ")[0] or "the check's assertion to hold"}
    return {"grader_error": f"{type(error).__name__}: {error}",
            "expected": "the check to run (this is a bug in the grader, please report it)"}


class GraderPlugin:
    def __init__(self, course: Course, lesson: Lesson, serve: Callable[[Callable[[Sandbox], Report]], object], *,
                 include_hidden: bool = False, on_check: Callable[[CheckResult], None] | None = None,
                 parallel: bool = False) -> None:
        self.course = course
        self.lesson = lesson
        self.serve = serve
        self.include_hidden = include_hidden
        self.on_check = on_check
        self.parallel = parallel
        self.sandbox: Sandbox | None = None
        self.items: list[pytest.Item] = []
        self.results: dict[str, CheckResult] = {}
        self.collection_errors: list[str] = []
        self.hidden_not_run = 0
        self.may_retry = False  # would a failure of the check being run be run again on a never-used app?
        self.lessons_by_folder = {lesson.folder: lesson for lesson in course.up_to(lesson)}

    def _lesson_of(self, item: pytest.Item) -> Lesson:
        return self.lessons_by_folder[Path(item.path).parent]

    def _check_id(self, item: pytest.Item) -> str:
        return f"{self._lesson_of(item).id}::{item.name}"

    # fixtures ------------------------------------------------------------------------------
    @pytest.fixture
    def app(self, request: pytest.FixtureRequest) -> App:
        marker = request.node.get_closest_marker("check")
        assert self.sandbox is not None
        used = self.sandbox.shared if self.sandbox.has_worker else None
        self.may_retry = used is not None  # the check runs after others in the same worker (if it gets that far)
        worker = self.sandbox.worker_for_check(marker.kwargs.get("config") if marker else None,
                                               new_app=bool(marker and marker.kwargs.get("fresh_app")))
        self.may_retry = worker is used
        request.node.stash[WORKER] = worker
        return App(worker, self._lesson_of(request.node).probes)

    @pytest.fixture
    def client(self, app: App) -> Client:
        return app.test_client()

    @pytest.fixture
    def runner(self, app: App) -> CliRunner:
        return app.test_cli_runner()

    # hooks ---------------------------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "check(points, hints, hidden, config, fresh_app, alone): a graded check")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        retired = self.course.retired_by(self.lesson)
        kept = []
        for item in items:
            marker = item.get_closest_marker("check")
            if marker is None or self._check_id(item) in retired:
                continue
            if marker.kwargs.get("hidden") and not self.include_hidden:
                self.hidden_not_run += 1
                continue
            kept.append(item)
        # The lesson's own checks first, so a student sees them while the earlier lessons' still run.
        items[:] = sorted(kept, key=lambda item: self._lesson_of(item) is not self.lesson)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        """Hand the collected checks to ``serve`` instead of running them once."""
        if not self.collection_errors:
            self.items = session.items
            # Verdicts are explained from the exception itself; pytest's traceback text is never
            # shown, and formatting it (reading the source of every frame) costs more than a check.
            session.config.option.tbstyle = "no"
            self.serve(self.run)
        return True

    def run(self, sandbox: Sandbox) -> Report:
        """Run every collected check on the app in ``sandbox``; the caller times the whole grading.

        With ``parallel``, a second grader process (forked, with workers of its own) takes checks from
        the end of the list while this one takes them from the start, the lesson's own first, until
        none is left (see ``Claims``); then this one runs what the second did not send back, and the
        checks that must run ``alone``.
        """
        self.sandbox = sandbox
        self.results = {}
        helper = None
        mine: Iterator[pytest.Item] = iter(self.items)
        if self.parallel and not sandbox.portable and len(self.items) >= MIN_PARALLEL and sandbox.load_error is None:
            together = [item for item in self.items if not _marker(item).kwargs.get("alone")]
            claims = Claims(len(together))
            helper = Helper(sandbox, self._judge_quietly, claims.from_the_end(together))
            mine = claims.from_the_start(together)
        self._judge_all(mine)
        if helper is not None:
            for nodeid, result in (helper.results() or {}).items():
                self.results[nodeid] = result
                if self.on_check is not None:
                    self.on_check(result)
            self._judge_all(iter(item for item in self.items if item.nodeid not in self.results))
        return Report(lesson=self.lesson.id, title=self.lesson.title,
                      checks=[self.results[item.nodeid] for item in self.items],
                      load_error=sandbox.load_error, hidden_not_run=self.hidden_not_run)

    def _judge_all(self, items: Iterator[pytest.Item]) -> dict[str, CheckResult]:
        """Run ``items`` one after another; a check that fails after others runs again on a never-used app.
        Where a never-used app is a fork away (not with the portable mechanism, which starts a process),
        the check after a failure gets one at once, as every check does with ``--strict``: code that
        fails one check tends to fail the next, which would then run twice. Returns the verdicts, by node id."""
        judged = {}
        for item in items:
            self._run_check(item)
            if self.results[item.nodeid].failure is not None and self.may_retry:
                self.sandbox.discard_worker()  # so it runs again on a never-used app, and that verdict counts
                self._run_check(item)
            if self.results[item.nodeid].failure is not None and not self.sandbox.portable:
                self.sandbox.discard_worker()
            judged[item.nodeid] = self.results[item.nodeid]
            if self.on_check is not None:
                self.on_check(judged[item.nodeid])
        return judged

    def _judge_quietly(self, items: Iterator[pytest.Item]) -> dict[str, CheckResult]:
        """``_judge_all`` in the second grader process, which shows nothing: the first shows its results."""
        self.on_check = None
        return self._judge_all(items)

    def _run_check(self, item: pytest.Item) -> None:
        self.may_retry = False
        # No next item: which check comes next is known only once it is claimed, so each is torn down whole.
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=None)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        marker = _marker(item)
        doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
        lesson = self._lesson_of(item)
        self.results[item.nodeid] = CheckResult(
            id=self._check_id(item), lesson=lesson.id, title=doc, points=float(marker.kwargs.get("points", 1)),
            hints=tuple(marker.kwargs.get("hints", ())), hidden=bool(marker.kwargs.get("hidden")),
            regression=lesson is not self.lesson, seconds=time.perf_counter())

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        result = self.results.get(item.nodeid)
        if result is not None and call.excinfo is not None and result.failure is None:
            result.failure = explain(call.excinfo.value)
            if isinstance(call.excinfo.value, TimedOut):  # waiting for an endless loop twice helps nobody
                self.may_retry = False
        if result is not None and call.when == "teardown":
            result.seconds = time.perf_counter() - result.seconds
            worker = item.stash.get(WORKER, None)
            if worker is not None:
                del item.stash[WORKER]  # the item runs again (for the next submission, or in a new worker)
                result.output = worker.output()
        return report
