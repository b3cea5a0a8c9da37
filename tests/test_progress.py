"""The progress file: survives a process killed mid-write, keeps what it does not know, locks out lost updates."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.course import Course
from grader.progress import FILE, Progress, State, updating
from grader.report import CheckResult, Report

# Rewrites a large progress file as fast as it can, counting up, until it is killed.
WRITER = """
import sys
from pathlib import Path
from grader.progress import Progress
root = Path(sys.argv[1])
padding = "x" * 2_000_000
count = 0
while True:
    count += 1
    Progress(root / ".grade" / "progress.json", {"lesson1": {"count": count, "padding": padding}}).save()
    if count == 1:
        print("started", flush=True)
"""


def test_a_process_killed_mid_write_leaves_a_whole_file(tmp_path: Path):
    mid_write, seen = 0, set()  # kills that left a half-written temporary file: the case that matters
    for attempt in range(40):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline() == "started\n"
        time.sleep(attempt % 7 * 0.02)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        data = json.loads((tmp_path / FILE).read_text(encoding="utf-8"))  # the old content or the new, whole
        assert data["format"] == 1 and data["lessons"]["lesson1"]["count"] >= 1
        assert len(data["lessons"]["lesson1"]["padding"]) == 2_000_000
        leftovers = set((tmp_path / ".grade").glob(".progress-*.tmp"))
        mid_write += bool(leftovers - seen)
        seen |= leftovers
        if mid_write == 2:
            break
    assert mid_write == 2, "too few kills landed in the middle of a write"
    with updating(tmp_path) as progress:  # the next writer clears what a killed one left behind
        assert progress.lessons["lesson1"]["count"] >= 1
    assert list((tmp_path / ".grade").glob(".progress-*.tmp")) == []


def _report(lesson_id: str, passed: bool) -> Report:
    check = CheckResult(id=f"{lesson_id}::test_a", lesson=lesson_id, title="a", points=1, hints=("h1", "h2"),
                        hidden=False, regression=False, failure=None if passed else {"expected": "x"})
    return Report(lesson=lesson_id, title="t", checks=[check])


def test_records_are_kept_by_lesson_id_and_unknown_ones_survive(tmp_path: Path, course: Course):
    lesson = course.find("lesson1")
    (tmp_path / ".grade").mkdir()
    (tmp_path / FILE).write_text(json.dumps({"format": 1, "lessons": {"retired-lesson": {"passed": True}}}))
    with updating(tmp_path) as progress:
        progress.record(lesson, _report("lesson1", passed=False), files="abc")
    with updating(tmp_path) as progress:
        progress.record(lesson, _report("lesson1", passed=True), files="abc")
    saved = Progress.load(tmp_path)
    assert saved.lessons["retired-lesson"] == {"passed": True}
    entry = saved.lessons["lesson1"]
    assert entry["attempts"] == 2 and entry["passed"] and entry["digest"] == "abc"
    assert entry["first_passed_at"] == entry["passed_at"]
    assert saved.has_passed(lesson)
    assert saved.status(lesson).state is State.CHANGED  # "abc" is not the digest of the real files
    assert saved.status(course.find("lesson2")).state is State.NEW
