"""How long a student waits: wall time of `grade lessonN --solution`, against `import flask`.

Prints, per lesson, the median wall time of several runs, its ratio to the median time of
`python -c "import flask"` (the issue's yardstick: at most 2.5x), and the time spent in checks
alone (the sum of every check's own time, from --json). Run: python bench/grade_speed.py [runs]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from grader.course import Course


def wall(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    return time.perf_counter() - started, result.stdout


def main(runs: int = 7) -> None:
    baseline = statistics.median(wall([sys.executable, "-c", "import flask"])[0] for _ in range(runs))
    print(f"python -c 'import flask': {baseline * 1000:.0f} ms (median of {runs})")
    print(f"{'lesson':<10}{'grade --solution':>18}{'ratio':>8}{'in checks':>12}{'checks':>8}")
    for lesson in Course.load().lessons:
        times, checks_time, count = [], 0.0, 0
        for _ in range(runs):
            seconds, out = wall([sys.executable, "-m", "grader", lesson.id, "--solution", "--json"])
            times.append(seconds)
            tests = json.loads(out)["tests"]
            checks_time, count = sum(test["execution_time"] for test in tests), len(tests)
        median = statistics.median(times)
        print(f"{lesson.id:<10}{median * 1000:>15.0f} ms{median / baseline:>7.2f}x"
              f"{checks_time * 1000:>9.0f} ms{count:>8}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
