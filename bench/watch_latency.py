"""How soon `grade LESSON --watch` answers a save: from the file's write to "Checking…" and to the new score.

Runs the watcher on a throw-away copy of the course, saves the reference solution and the starter in
turn, and prints the median of each delay, with file events and with --poll.
Run: python bench/watch_latency.py [lesson] [saves]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.course import Course
from grader.student.workspace import exercise_files


def _copy(course: Course, into: Path) -> None:
    for folder in ("lessons", "exercises", "solutions"):
        shutil.copytree(course.root / folder, into / folder, ignore=shutil.ignore_patterns("__pycache__", ".grade"))


def _until(process: subprocess.Popen[str], text: str) -> float:
    for line in process.stdout:
        if text in line:
            return time.perf_counter()
    raise RuntimeError(f"the watcher ended before printing {text!r}")


def measure(course: Course, lesson_id: str, saves: int, *extra: str) -> tuple[list[float], list[float]]:
    lesson = course.find(lesson_id)
    with tempfile.TemporaryDirectory(prefix="watch-bench-") as temporary:
        root = Path(temporary)
        _copy(course, root)
        exercise = root / "exercises" / lesson.id
        versions = [{path.relative_to(folder): path.read_bytes() for path in exercise_files(folder)}
                    for folder in (root / "solutions" / lesson.id, exercise)]
        watcher = subprocess.Popen([sys.executable, "-m", "grader", lesson.id, "--watch", *extra], text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, "GRADE_ROOT": str(root), "COLUMNS": "300",
                                        "GRADE_WARM": "0"})  # the watcher alone
        _until(watcher, "Watching")
        announced, verdicts = [], []
        for number in range(saves):
            saved = time.perf_counter()
            for relative, content in versions[number % 2].items():
                (exercise / relative).parent.mkdir(parents=True, exist_ok=True)
                (exercise / relative).write_bytes(content)
            announced.append(_until(watcher, "Checking…") - saved)
            verdicts.append(_until(watcher, "Score ") - saved)
            _until(watcher, "Watching")
        watcher.terminate()
        watcher.wait()
    return announced, verdicts


def main(lesson_id: str = "lesson1", saves: int = 6) -> None:
    course = Course.load()
    print(f"{lesson_id}, {saves} saves: median seconds from the save to")
    print(f"{'mode':<14}{'Checking…':>12}{'new score':>12}")
    for mode, extra in (("file events", ()), ("--poll", ("--poll",))):
        announced, verdicts = measure(course, lesson_id, saves, *extra)
        print(f"{mode:<14}{statistics.median(announced):>12.3f}{statistics.median(verdicts):>12.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:2], *(int(arg) for arg in sys.argv[2:3]))
