"""``grade LESSON --watch``, run as a student runs it: save a file, see the new verdict; Ctrl-C quits cleanly."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.posix("watch mode is stopped with Ctrl-C (SIGINT), which Windows cannot send")


class Watching:
    """``grade lesson1 --watch`` in the background, its output read line by line."""

    def __init__(self, workspace: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader", "lesson1", "--watch", *args], cwd=workspace, text=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "GRADE_ROOT": str(workspace), "COLUMNS": "300"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 30) -> float:
        """Read until a line contains ``text``; return when it came."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no {text!r} within {timeout} s; output so far:\n{''.join(self.seen)}")
            self.seen.append(line)
            if text in line:
                return time.monotonic()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        self.process.stdout.close()
        return code


@pytest.fixture
def watching(workspace):
    started: list[Watching] = []

    def start(*args: str) -> Watching:
        started.append(Watching(workspace, *args))
        return started[-1]

    yield start
    for each in started:
        if each.process.poll() is None:
            each.process.kill()
            each.process.wait()


def _save_solution(workspace: Path) -> None:
    source = workspace / "solutions" / "lesson1" / "shelf" / "app.py"
    (workspace / "exercises" / "lesson1" / "shelf" / "app.py").write_bytes(source.read_bytes())


def test_watch_grades_again_on_every_save_and_survives_broken_code(watching, workspace, sandbox_mechanism):
    watch = watching()
    watch.wait_for("Score 0/15")
    watch.wait_for("Watching")

    _save_solution(workspace)
    watch.wait_for("Checking…", timeout=5)
    watch.wait_for("Score 15/15")

    app = workspace / "exercises" / "lesson1" / "shelf" / "app.py"
    app.write_text(app.read_text() + "\ndef broken(:\n")
    watch.wait_for("Your app did not load")
    watch.wait_for("Watching")

    shutil.rmtree(workspace / "exercises" / "lesson1" / "shelf" / "__pycache__", ignore_errors=True)
    (workspace / "exercises" / "lesson1" / "shelf" / "app.py.swp").write_text("an editor's scratch file")
    time.sleep(0.5)
    assert watch.lines.empty(), "a scratch file or a deleted cache is not a change to the code"

    assert watch.stop() == 0
    assert watch.wait_for("Stopped watching.") and "Traceback" not in "".join(watch.seen)


def test_watch_polls_where_file_events_do_not_arrive(watching, workspace):
    watch = watching("--poll")
    watch.wait_for("Score 0/15")
    watch.wait_for("(checking for changes every 0.25 s: --poll was given)")
    _save_solution(workspace)
    watch.wait_for("Score 15/15")
    assert watch.stop() == 0
