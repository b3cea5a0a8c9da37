"""Grade one submission for one lesson: start its sandbox, run the checks with pytest, report."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from .course import Course, Lesson
from .report import Report
from .sandbox import Limits, Sandbox

class CourseError(Exception):
    """The course itself is broken (e.g. a checks.py that does not import): not the student's fault."""


PYTEST_INI = Path(__file__).with_name("pytest.ini")
# Built-in pytest plugins checks never use: leaving them out saves most of a session's start-up.
UNUSED_PLUGINS = ("terminal", "cacheprovider", "warnings", "stepwise", "doctest", "junitxml", "pastebin",
                  "unittest", "logging", "faulthandler", "legacypath", "recwarn", "setuponly", "setupplan",
                  "debugging", "nose", "python_path", "monkeypatch")


def _forget_checks(course: Course) -> None:
    """Drop the imported checks modules, so the next grading in this process reads them afresh."""
    lessons = str(course.root / "lessons")
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(lessons):
            del sys.modules[name]


def grade(course: Course, lesson: Lesson, submission: Path, *, include_hidden: bool = False,
          limits: Limits = Limits(), regression: bool = True) -> Report:
    """Run ``lesson``'s checks (and, unless ``regression`` is False, the earlier lessons' that still
    apply) on ``submission``."""
    started = time.perf_counter()
    earlier = course.up_to(lesson) if regression else (lesson,)
    probes = [each.probes for each in earlier if each.probes is not None]
    hidden = [course.root / "lessons", course.root / "solutions"]
    with Sandbox(submission, lesson.app, lesson.config, limits, probes, hidden) as sandbox:
        import pytest  # after the sandbox has forked: the student's code loads while pytest does

        from .plugin import GraderPlugin

        plugin = GraderPlugin(course, lesson, sandbox, include_hidden)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        status = pytest.main(
            [*(str(each.checks) for each in earlier),
             "-c", str(PYTEST_INI), "--rootdir", str(course.root / "lessons"), "--import-mode=importlib",
             "--capture=sys", *(f"-pno:{name}" for name in UNUSED_PLUGINS)],
            plugins=[plugin],
        )
        load_error = sandbox.load_error
    _forget_checks(course)
    if status in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        plugin.collection_errors.append(f"pytest could not run the checks (exit code {int(status)})")
    if plugin.collection_errors:
        raise CourseError(f"the checks of {lesson.id} could not be loaded: {'; '.join(plugin.collection_errors)}")
    return Report(lesson=lesson.id, title=lesson.title, checks=list(plugin.results.values()),
                  load_error=load_error, hidden_not_run=plugin.hidden_not_run,
                  seconds=time.perf_counter() - started)
