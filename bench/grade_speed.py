"""How long a student waits: `grade lessonN --solution` against `python -c "import flask"`, in one run.

Per lesson, the median of several runs of:
- cold: the whole `grade lessonN --solution` (isolation included) in a Python of its own, as the first `grade`
  runs (and every one with GRADE_WARM=0), and its ratio to `import flask`;
- warm: the same, handed over to the warm process the first one leaves (Linux), as every later `grade` runs;
- first: the time until the first verdict line is printed, warm (the lesson's own checks stream first);
- cpu: the CPU time of the grader and every process it started, warm (``cpu_time``: on Linux, the machine's);
- strict: the wall time with `--strict` (a never-used process and app for every check), warm;
- starter: the wall time of grading the untouched starter (exercises/lessonN), which fails its checks, warm.

Python does not write bytecode where PYTHONDONTWRITEBYTECODE is set, so every run compiles the grader,
the checks and the student's app again. A student's Python writes it: the figures are taken both ways
(`--bytecode` for the student's case only). Run: python bench/grade_speed.py [runs] [--bytecode]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def start_warm(grade: list[str], env: dict[str, str]) -> None:
    """Leave a warm process running (a first grade does, in the background) and wait until it takes commands."""
    run([*grade, "lesson1", "--solution"], env)
    deadline = time.monotonic() + 30
    while "ran in the warm grade process" not in subprocess.run([*grade, "doctor"], capture_output=True, text=True,
                                                                 env=env).stdout:
        if time.monotonic() > deadline:
            sys.exit("bench: no warm process came up (is this Linux?)")
        time.sleep(0.1)


def stop_warm(folder: str) -> None:
    import psutil

    for process in psutil.process_iter(["cmdline"]):
        if folder in " ".join(process.info["cmdline"] or ()):
            process.kill()
    shutil.rmtree(folder, ignore_errors=True)


def main(runs: int, bytecode_only: bool) -> None:
    grade = [sys.executable, "-m", "grader"]
    settings = [("bytecode written (a student's Python)", False)]
    if not bytecode_only and os.environ.get("PYTHONDONTWRITEBYTECODE"):
        settings.append(("PYTHONDONTWRITEBYTECODE set (this machine)", True))
    for title, no_bytecode in settings:
        folder = tempfile.mkdtemp(prefix="gw-")  # the warm process's socket: its own, for this run
        env = dict(os.environ, COLUMNS="100", GRADE_WARM="1", XDG_RUNTIME_DIR=folder)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        cold = dict(env, GRADE_WARM="0")
        run([*grade, "lesson1", "--solution"], cold)  # writes the bytecode once
        start_warm(grade, env)
        baseline = statistics.median(run([sys.executable, "-c", "import flask"], env)[0] for _ in range(runs))
        print(f"{title}: python -c 'import flask' {baseline * 1000:.0f} ms (median of {runs})")
        print(f"{'lesson':<10}{'cold':>9}{'ratio':>8}{'warm':>9}{'ratio':>8}{'first':>9}{'ratio':>8}{'cpu':>9}"
              f"{'strict':>9}{'starter':>9}{'ratio':>8}")
        try:
            for lesson in Course.load().lessons:
                cold_wall = statistics.median(run([*grade, lesson.id, "--solution"], cold)[0] for _ in range(runs))
                results = [run([*grade, lesson.id, "--solution"], env) for _ in range(runs)]
                wall, first, cpu = (statistics.median(values) for values in zip(*results))
                strict, starter = (statistics.median(run([*grade, lesson.id, *options], env)[0]
                                                     for _ in range(max(1, runs // 2)))
                                   for options in (["--solution", "--strict"], ["--path", str(lesson.exercise)]))
                print(f"{lesson.id:<10}{cold_wall * 1000:>6.0f} ms{cold_wall / baseline:>7.1f}x"
                      f"{wall * 1000:>6.0f} ms{wall / baseline:>7.1f}x{first * 1000:>6.0f} ms{first / baseline:>7.1f}x"
                      f"{cpu * 1000:>6.0f} ms{strict * 1000:>6.0f} ms{starter * 1000:>6.0f} ms"
                      f"{starter / baseline:>7.1f}x")
        finally:
            stop_warm(folder)
        print()


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    main(int(arguments[0]) if arguments else 5, "--bytecode" in sys.argv)
