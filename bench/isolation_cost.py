"""What isolation costs a submission: the sandbox's set-up, the worker it forks for the checks and
the switch from one check to the next in that worker, against importing the student's module in
the grader's own process (no protection at all).

Run: python bench/isolation_cost.py [lesson] [runs]
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time

from grader.course import Course
from grader.sandbox import Limits, Sandbox


def sandbox_costs(lesson, runs: int) -> tuple[float, float, float]:
    """Medians: set-up (copy, fork, import), forking a never-used worker, moving a worker to the next check."""
    setups, forks, switches = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        with Sandbox(lesson.solution, lesson.app, lesson.config, Limits()) as sandbox:
            assert sandbox.load_error is None
            setups.append(time.perf_counter() - started)
            for _ in range(20):
                started = time.perf_counter()
                sandbox.worker_for_check()
                forks.append(time.perf_counter() - started)
                for _ in range(5):
                    started = time.perf_counter()
                    sandbox.worker_for_check()
                    switches.append(time.perf_counter() - started)
                sandbox.discard_worker()
    return statistics.median(setups), statistics.median(forks), statistics.median(switches)


def in_process_import(lesson, runs: int) -> float:
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
    setup, fork, switch = sandbox_costs(lesson, runs)
    alternative = in_process_import(lesson, runs)
    checks = len(lesson.checks.read_text().split("@check(")) - 1
    print(f"{lesson.id}: sandbox set-up (copy, fork, import the app) {setup * 1000:.1f} ms; "
          f"importing it in-process (no isolation) {alternative * 1000:.2f} ms")
    print(f"{lesson.id}: a never-used worker forked in the sandbox {fork * 1000:.2f} ms; "
          f"the same worker made ready for the next check {switch * 1000:.2f} ms")
    extra = setup - alternative + fork + checks * switch
    print(f"{lesson.id}: isolation cost per submission (set-up, one worker, {checks} checks) about {extra * 1000:.0f} ms")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["lesson3"]), *(int(arg) for arg in sys.argv[2:3]))
