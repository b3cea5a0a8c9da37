"""Where the time of one `grade lessonN --solution` goes, in the grader's own process and in the sandbox.

Prints, for each lesson named (default: 3, 7 and 11): when the first verdict came, when the lesson's
own checks were done, the whole run; how many checks this process ran, re-runs included; the CPU time of
the grader's process and of the sandbox's processes; then the grader's top functions by own time
(cProfile: waiting for the sandbox shows as `select`). Run: python bench/profile_grade.py [lesson...]
"""

from __future__ import annotations

import cProfile
import pstats
import resource
import sys
import time

from grader import plugin, runner
from grader.course import Course


def profile(course: Course, lesson_id: str) -> None:
    lesson = course.find(lesson_id)
    runner.grade(course, lesson, lesson.solution)  # warm: the first run pays for imports
    marks: dict[str, float] = {}
    runs = {"checks": 0}
    run_check = plugin.GraderPlugin._run_check

    def counted(self: plugin.GraderPlugin, item: object) -> None:
        runs["checks"] += 1
        run_check(self, item)  # type: ignore[arg-type]

    def seen(result: object) -> None:
        now = time.perf_counter() - started
        marks.setdefault("first verdict", now)
        if not getattr(result, "regression", True):
            marks["own checks done"] = now

    plugin.GraderPlugin._run_check = counted  # type: ignore[method-assign]
    own_cpu = resource.getrusage(resource.RUSAGE_SELF)
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    report = runner.grade(course, lesson, lesson.solution, on_check=seen)
    profiler.disable()
    total = time.perf_counter() - started
    plugin.GraderPlugin._run_check = run_check  # type: ignore[method-assign]
    own_after, children_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    grader_cpu = own_after.ru_utime + own_after.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime
    sandbox_cpu = (children_after.ru_utime + children_after.ru_stime
                   - children_cpu.ru_utime - children_cpu.ru_stime)
    print(f"{lesson.id}: {len(report.checks)} checks; this process ran {runs['checks']} of them, re-runs included"
          " (a second grader process may run some of the earlier lessons' checks)")
    for name, when in marks.items():
        print(f"  {name:<16}{when * 1000:>7.0f} ms")
    print(f"  {'whole run':<16}{total * 1000:>7.0f} ms   cpu: grader {grader_cpu * 1000:.0f} ms, "
          f"sandbox and second grader {sandbox_cpu * 1000:.0f} ms")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    course = Course.load()
    for name in sys.argv[1:] or ["lesson3", "lesson7", "lesson11"]:
        profile(course, name)
