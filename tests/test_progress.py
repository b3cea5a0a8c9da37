"""The progress file: survives a process killed mid-write, keeps what it does not know, locks out lost updates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import Course
from grader.student.progress import FILE, Progress, State, updating
from grader.report import CheckResult, Report

# Saves once, then saves again but stops in the middle (halfway through writing the new text, or
# with it written but not yet renamed into place) and says so: the test kills it right there.
WRITER = """
import os, sys, time
from pathlib import Path
from grader.student.progress import Progress

def stop_here(*args, **kwargs):
    print("stopped", flush=True)
    time.sleep(60)

class HalfWritten:
    def __init__(self, handle, *args, **kwargs):
        self.file = real_fdopen(handle, *args, **kwargs)
    def __enter__(self):
        return self
    def __exit__(self, *exc_info):
        self.file.close()
    def write(self, text):
        self.file.write(text[: len(text) // 2])
        self.file.flush()
        stop_here()

path = Path(sys.argv[1]) / ".grade" / "progress.json"
Progress(path, {"lesson1": {"count": 1}}).save()
real_fdopen = os.fdopen
if sys.argv[2] == "during-write":
    os.fdopen = HalfWritten
else:
    os.replace = stop_here
Progress(path, {"lesson1": {"count": 2}}).save()
"""


@pytest.mark.parametrize("where", ["during-write", "before-rename"])
def test_a_process_killed_mid_write_leaves_a_whole_file(tmp_path: Path, where: str):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), where], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "stopped\n"
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
    data = json.loads((tmp_path / FILE).read_text(encoding="utf-8"))  # the old content, whole
    assert data == {"format": 1, "lessons": {"lesson1": {"count": 1}}}
    assert len(list((tmp_path / ".grade").glob(".progress-*.tmp"))) == 1  # the killed write's temporary file
    with updating(tmp_path) as progress:  # the next writer clears what a killed one left behind
        assert progress.lessons["lesson1"]["count"] == 1
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
