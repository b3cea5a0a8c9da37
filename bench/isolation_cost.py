"""What isolation costs a submission: the sandbox's set-up and its per-check fork, against the
in-process alternative (re-importing the student's module for a fresh app, no protection at all).

Run: python bench/isolation_cost.py [lesson] [runs]
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time

from grader.course import Course
from grader.sandbox import Limits, Sandbox


def sandbox_costs(lesson, runs: int) -> tuple[float, float]:
    setups, checks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        with Sandbox(lesson.solution, lesson.app, lesson.config, Limits()) as sandbox:
            assert sandbox.load_error is None
            setups.append(time.perf_counter() - started)
            for _ in range(20):
                started = time.perf_counter()
                worker = sandbox.spawn()
                worker.close()
                checks.append(time.perf_counter() - started)
    return statistics.median(setups), statistics.median(checks)


def in_process_fresh_app(lesson, runs: int) -> float:
    module_name = lesson.app.split(":")[0]
    sys.path.insert(0, str(lesson.solution))
    times = []
    for _ in range(runs * 20):
        for name in [name for name in sys.modules if name.split(".")[0] == lesson.package]:
            del sys.modules[name]
        started = time.perf_counter()
        importlib.import_module(module_name)
        times.append(time.perf_counter() - started)
    sys.path.remove(str(lesson.solution))
    return statistics.median(times)


def main(name: str = "lesson3", runs: int = 5) -> None:
    import flask  # noqa: F401 - both ways need Flask imported; in `grade` the child imports it while pytest loads

    course = Course.load()
    lesson = course.find(name)
    setup, per_check = sandbox_costs(lesson, runs)
    alternative = in_process_fresh_app(lesson, runs)
    checks = len(lesson.checks.read_text().split("@check(")) - 1
    print(f"{lesson.id}: sandbox set-up (copy, fork, import the app) {setup * 1000:.1f} ms")
    print(f"{lesson.id}: fresh app per check, forked in the sandbox {per_check * 1000:.2f} ms; "
          f"re-imported in-process (no isolation) {alternative * 1000:.2f} ms")
    extra = setup + checks * max(0.0, per_check - alternative)
    print(f"{lesson.id}: isolation cost per submission (set-up + {checks} checks) about {extra * 1000:.0f} ms")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["lesson3"]), *(int(arg) for arg in sys.argv[2:3]))
