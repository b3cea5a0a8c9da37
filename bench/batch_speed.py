"""How fast a class is graded: `grade batch` on N synthetic lesson submissions, start-up included.

Most submissions are the reference solution, some carry one realistic bug (a mutant from the
lesson's mutants.toml), a few are hostile (from tests/hostile). Prints, per N, submissions per
second (wall time from the start of the batch to its last grade, worker start-up included), the
CPU time one submission costs (all processes, ``cpu_time``: on Linux the machine's, so benchmark an
idle machine), per-submission latency (p50, p95) and the peak memory of
the largest grading process, which must not grow with N. Run: python bench/batch_speed.py [lesson] [N ...] [--jobs J]   (default: lesson3 50 200)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from cpu_time import busy_seconds
from grader.classroom import batch
from grader.authoring import mutants
from grader.course import Course, Lesson
from grader.sandbox import IGNORED

HOSTILE = Path(__file__).resolve().parent.parent / "tests" / "hostile"
# Quick to judge: each ends in a verdict at once (no check waits for its time limit).
HOSTILE_NAMES = ("exits_zero_early", "patches_test_client", "patches_pytest", "prints_fake_results",
                 "rewrites_itself", "escapes_with_setsid", "eats_memory")


def generate(lesson: Lesson, count: int, folder: Path) -> dict[str, int]:
    """Write ``count`` submissions to ``folder``: 1 in 10 a mutant, 1 in 40 hostile, the rest the solution."""
    wrong = mutants(lesson)
    kinds = {"solution": 0, "mutant": 0, "hostile": 0}
    for number in range(count):
        target = folder / f"student{number:04}"
        if number % 40 == 39:
            shutil.copytree(HOSTILE / HOSTILE_NAMES[number // 40 % len(HOSTILE_NAMES)], target, ignore=IGNORED)
            kinds["hostile"] += 1
        elif number % 10 == 9 and wrong:
            wrong[number // 10 % len(wrong)].apply(lesson.solution, target)
            kinds["mutant"] += 1
        else:
            shutil.copytree(lesson.solution, target, ignore=IGNORED)
            kinds["solution"] += 1
    return kinds


def measure(course: Course, lesson: Lesson, count: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as temporary:
        folder = Path(temporary) / "submissions"
        folder.mkdir()
        kinds = generate(lesson, count, folder)
        cpu_before = busy_seconds()
        started = time.perf_counter()
        summary = batch.run(course, lesson, folder, Path(temporary) / "gradebook.sqlite", jobs=jobs)
        wall = time.perf_counter() - started
        cpu = (busy_seconds() - cpu_before) / count
    latencies = sorted(outcome.seconds for outcome in summary.outcomes)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    batch_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count:>6}{jobs:>6}{count / wall:>10.1f}{cpu * 1000:>10.0f}{statistics.median(latencies) * 1000:>10.0f}"
          f"{p95 * 1000:>10.0f}{children:>10.0f}{batch_mb:>10.0f}   "
          f"{kinds['solution']}/{kinds['mutant']}/{kinds['hostile']}"
          f"   graded {summary.count('graded')}, errors {summary.count('error')}, {wall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lesson", nargs="?", default="lesson3")
    parser.add_argument("counts", nargs="*", type=int, default=[50, 200])
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    options = parser.parse_args()
    course = Course.load()
    lesson = course.find(options.lesson)
    print(f"{lesson.id}: `grade batch` on {os.cpu_count()} cores. Peak RSS (MB): the largest grading process so far "
          "(worker, sandbox), and the batch's own process")
    print(f"{'N':>6}{'jobs':>6}{'subm/s':>10}{'CPU ms':>10}{'p50 ms':>10}{'p95 ms':>10}{'workers':>10}{'batch':>10}"
          "   solution/mutant/hostile")
    for count in options.counts:
        measure(course, lesson, count, options.jobs)


if __name__ == "__main__":
    main()
