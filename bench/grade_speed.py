"""How long a student waits: `grade lessonN --solution` against `python -c "import flask"`, in one run.

Per lesson, the median of several runs of:
- wall: the whole `grade lessonN --solution` (isolation included), and its ratio to `import flask`;
- first: the time until the first verdict line is printed (the lesson's own checks stream first);
- cpu: the CPU time of the grader and every process it started (``cpu_time``: on Linux, the machine's);
- strict: the wall time with `--strict` (a never-used process and app for every check);
- starter: the wall time of grading the untouched starter (exercises/lessonN), which fails its checks.

Python does not write bytecode where PYTHONDONTWRITEBYTECODE is set, so every run compiles the grader,
the checks and the student's app again. A student's Python writes it: the figures are taken both ways
(`--bytecode` for the student's case only). Run: python bench/grade_speed.py [runs] [--bytecode]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from cpu_time import busy_seconds
from grader.course import Course


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall time, time to the first verdict line (a line starting with ✓ or ✗), and CPU time."""
    cpu = busy_seconds()
    started = time.perf_counter()
    first = 0.0
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if not first and line.lstrip().startswith(("✓", "✗")):
                first = time.perf_counter() - started
    return time.perf_counter() - started, first, busy_seconds() - cpu


def main(runs: int, bytecode_only: bool) -> None:
    grade = [sys.executable, "-m", "grader"]
    settings = [("bytecode written (a student's Python)", False)]
    if not bytecode_only and os.environ.get("PYTHONDONTWRITEBYTECODE"):
        settings.append(("PYTHONDONTWRITEBYTECODE set (this machine)", True))
    for title, no_bytecode in settings:
        env = dict(os.environ, COLUMNS="100")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            run([*grade, "lesson1", "--solution"], env)  # writes the bytecode once
        baseline = statistics.median(run([sys.executable, "-c", "import flask"], env)[0] for _ in range(runs))
        print(f"{title}: python -c 'import flask' {baseline * 1000:.0f} ms (median of {runs})")
        print(f"{'lesson':<10}{'wall':>9}{'ratio':>8}{'first':>9}{'ratio':>8}{'cpu':>9}{'strict':>9}{'starter':>9}"
              f"{'ratio':>8}")
        for lesson in Course.load().lessons:
            results = [run([*grade, lesson.id, "--solution"], env) for _ in range(runs)]
            wall, first, cpu = (statistics.median(values) for values in zip(*results))
            strict, starter = (statistics.median(run([*grade, lesson.id, *options], env)[0]
                                                 for _ in range(max(1, runs // 2)))
                               for options in (["--solution", "--strict"], ["--path", str(lesson.exercise)]))
            print(f"{lesson.id:<10}{wall * 1000:>6.0f} ms{wall / baseline:>7.1f}x{first * 1000:>6.0f} ms"
                  f"{first / baseline:>7.1f}x{cpu * 1000:>6.0f} ms{strict * 1000:>6.0f} ms{starter * 1000:>6.0f} ms"
                  f"{starter / baseline:>7.1f}x")
        print()


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    main(int(arguments[0]) if arguments else 5, "--bytecode" in sys.argv)
