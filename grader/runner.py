"""Grade submissions for one lesson: start each one's sandbox, run the checks with pytest, report."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .course import Course, Lesson
from .report import CheckResult, Report
from .sandbox import Limits, Sandbox


class CourseError(Exception):
    """The course itself is broken (e.g. a checks.py that does not import): not the student's fault."""


PYTEST_INI = Path(__file__).with_name("pytest.ini")
# Built-in pytest plugins checks never use: leaving them out saves most of a session's start-up.
UNUSED_PLUGINS = ("terminal", "cacheprovider", "warnings", "stepwise", "doctest", "junitxml", "pastebin",
                  "unittest", "logging", "faulthandler", "legacypath", "recwarn", "setuponly", "setupplan",
                  "debugging", "nose", "python_path", "monkeypatch", "unraisableexception", "threadexception")


def _forget_checks(course: Course) -> None:
    """Drop the imported checks modules, so the next grading in this process reads them afresh."""
    lessons = str(course.root / "lessons")
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(lessons):
            del sys.modules[name]


def _probes(course: Course, lesson: Lesson) -> list[Path]:
    return [each.probes for each in course.up_to(lesson) if each.probes is not None]


def sandbox_for(course: Course, lesson: Lesson, submission: Path, limits: Limits) -> Sandbox:
    """The sandbox ``lesson``'s checks run ``submission`` in (not started yet)."""
    hidden = [course.root]  # the whole course: its solutions, its checks, its git history
    return Sandbox(submission, lesson.app, lesson.config, limits, _probes(course, lesson), hidden)


def warm_up_sandboxes(course: Course, lesson: Lesson) -> None:
    """In a process that starts sandbox after sandbox (a batch, a watcher): do once, here, what every
    sandbox's first process would do again before the student's code runs (Flask's lazy imports, the
    lessons' probes and what they import), so that each sandbox forked from here starts with it done."""
    from .sandbox.child import warm_up  # not at the top: a single `grade` need not import Flask here
    from .sandbox.operations import load_probes

    warm_up()
    for probes in _probes(course, lesson):
        load_probes(str(probes))


def session(course: Course, lesson: Lesson, serve: Callable[[Callable[[Sandbox], Report]], object], *,
            include_hidden: bool = False, regression: bool = True,
            on_check: Callable[[CheckResult], None] | None = None, parallel: bool = False) -> None:
    """Collect the checks ``lesson`` runs once, then call ``serve(run)``.

    ``run(sandbox)`` runs every check on the app in that sandbox and returns the report. ``serve`` may
    call it once (``grade``) or for many submissions in turn (batch grading), so a batch pays for
    pytest's start-up and collection once per process, not once per submission. Unless
    ``regression`` is False, the earlier lessons' checks that still apply run too. The lesson's own
    checks run first; ``on_check`` is given each check's verdict as soon as it is final. With
    ``parallel`` (one submission graded alone, not a batch that keeps every core busy already), a
    second process runs some of the earlier lessons' checks at the same time.
    """
    import pytest

    from .plugin import GraderPlugin

    plugin = GraderPlugin(course, lesson, serve, include_hidden=include_hidden, on_check=on_check,
                          parallel=parallel)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    status = pytest.main(
        [*(str(each.checks) for each in (course.up_to(lesson) if regression else (lesson,))),
         "-c", str(PYTEST_INI), "--rootdir", str(course.root / "lessons"), "--import-mode=importlib",
         "--capture=sys", "--assert=plain", *(f"-pno:{name}" for name in UNUSED_PLUGINS)],
        plugins=[plugin],
    )
    _forget_checks(course)
    if status == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if status in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        plugin.collection_errors.append(f"pytest could not run the checks (exit code {int(status)})")
    if plugin.collection_errors:
        raise CourseError(f"the checks of {lesson.id} could not be loaded: {'; '.join(plugin.collection_errors)}")


def _parallel() -> bool:
    """Can one submission's checks use a second core (a forked second grader process)?"""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def grade(course: Course, lesson: Lesson, submission: Path, *, include_hidden: bool = False,
          limits: Limits = Limits(), regression: bool = True,
          on_check: Callable[[CheckResult], None] | None = None) -> Report:
    """Run ``lesson``'s checks (and, unless ``regression`` is False, the earlier lessons' that still
    apply) on ``submission``."""
    reports: list[Report] = []

    def once(report: Report) -> bool:
        reports.append(report)
        return False

    grade_repeatedly(course, lesson, submission, once, include_hidden=include_hidden, limits=limits,
                     regression=regression, on_check=on_check)
    return reports[0]


def grade_repeatedly(course: Course, lesson: Lesson, submission: Path, graded: Callable[[Report], bool], *,
                     include_hidden: bool = False, limits: Limits = Limits(), regression: bool = True,
                     on_check: Callable[[CheckResult], None] | None = None) -> None:
    """Grade ``submission`` and hand the report to ``graded``; grade it again, in a new sandbox, each time
    ``graded`` returns True. The checks are collected once, so a watcher answers a save at once."""
    started = time.perf_counter()
    # The first sandbox forks before pytest starts: the student's code loads while the checks are collected.
    sandbox: Sandbox | None = sandbox_for(course, lesson, submission, limits).__enter__()

    def serve(run: Callable[[Sandbox], Report]) -> None:
        nonlocal sandbox, started
        while sandbox is not None:
            try:
                report = run(sandbox)
            finally:
                sandbox.close()
                sandbox = None
            report.seconds = time.perf_counter() - started
            if graded(report):
                started = time.perf_counter()
                warm_up_sandboxes(course, lesson)
                sandbox = sandbox_for(course, lesson, submission, limits).__enter__()

    try:
        session(course, lesson, serve, include_hidden=include_hidden, regression=regression, on_check=on_check,
                parallel=_parallel())
    finally:
        if sandbox is not None:  # pytest never reached it (the checks did not load, or grading was interrupted)
            sandbox.close()
