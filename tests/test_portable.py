"""The grader on the students' own laptops: the sandbox each system gets, said honestly, and the everyday
paths that differ between Linux, macOS and Windows (line endings, code pages, file locks, sockets).

The student path itself (every lesson, the hostile submissions, the commands) runs with the portable
sandbox too, forced on Linux with GRADE_SANDBOX=portable: see the ``sandbox_mechanism`` fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

from grader.authoring import drift, mutants
from grader.course import COURSE_ROOT, Course
from grader.notebooks.build import build
from grader.runner import grade
from grader.sandbox import IGNORED, protocol
from grader.sandbox.capabilities import (ENV, Mechanism, Unavailable, linux_available, mechanism, own_processes_given,
                                        unconfined)
from grader.sandbox.channel import Listener
from grader.sandbox.spawned import MemoryWatch
from grader.student.progress import updating

COURSE = Course.load()
LESSON1 = COURSE.find("lesson1")


def run_grade(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300,
                          check=False, cwd=COURSE_ROOT, env={**os.environ, **env})


# Which sandbox, and what it protects --------------------------------------------------------------------------

def test_the_strongest_sandbox_unless_one_is_asked_for(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert mechanism() is (Mechanism.LINUX if linux_available() else Mechanism.PORTABLE)
    monkeypatch.setenv(ENV, "portable")
    assert mechanism() is Mechanism.PORTABLE
    monkeypatch.setenv(ENV, "chroot")
    with pytest.raises(Unavailable, match="choose auto, linux, portable"):
        mechanism()
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv(ENV, "auto")
    assert mechanism() is Mechanism.PORTABLE
    monkeypatch.setenv(ENV, "linux")
    with pytest.raises(Unavailable, match="use auto or portable"):
        mechanism()


def test_an_unknown_sandbox_is_a_one_line_usage_error():
    result = run_grade("lesson1", "--solution", GRADE_SANDBOX="chroot")
    assert result.returncode == 2
    assert result.stderr == "grade: error: GRADE_SANDBOX=chroot is not a sandbox: choose auto, linux, portable\n"


def test_doctor_says_which_protections_the_sandbox_gives(sandbox_mechanism):
    result = run_grade("doctor")
    assert result.returncode == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert f"✓ sandbox: {sandbox_mechanism}" in out
    for always in ("throw-away copy", "clean environment", "process-tree cleanup", "memory limit", "time limits"):
        assert f"✓ {always}:" in out
    confined = unconfined(Mechanism(sandbox_mechanism)) is None
    for protection in ("read-only file system", "hidden course and folders"):
        assert (f"✓ {protection}:" if confined else f"! {protection}: not active") in out
    isolated = confined and os.geteuid() == 0  # as a user, the sandbox shares the user's network
    assert ("✓ no network:" if isolated else "! no network: not active") in out
    own = own_processes_given(Mechanism(sandbox_mechanism))
    assert ("✓ processes of its own:" if own else "! processes of its own: not active") in out
    if not confined:
        assert "grade on Linux (natively, in WSL or in a Linux container), or on Gradescope" in out


def test_batch_grading_without_confinement_warns_and_grades_alike(tmp_path):
    folder = tmp_path / "submissions"
    shutil.copytree(LESSON1.solution, folder / "ann", ignore=IGNORED)
    shutil.copytree(LESSON1.exercise, folder / "ben", ignore=IGNORED)
    books = {}
    for chosen in (Mechanism.PORTABLE, *([Mechanism.LINUX] if linux_available() else [])):
        book = tmp_path / f"{chosen.value}.sqlite"
        command = ["batch", "lesson1", str(folder), "--gradebook", str(book), "--csv", str(book) + ".csv"]
        if unconfined(chosen) is not None:
            refused = run_grade(*command, GRADE_SANDBOX=chosen.value)
            assert refused.returncode == 4 and "pass --unconfined" in refused.stderr and not book.exists()
            command.append("--unconfined")
        result = run_grade(*command, GRADE_SANDBOX=chosen.value)
        assert result.returncode == 0, result.stderr
        warnings = [line for line in result.stderr.splitlines() if line.startswith("grade: warning:")]
        if unconfined(chosen) is None:
            assert warnings == []
        else:
            assert len(warnings) == 1 and "not tamper-proof" in warnings[0] and "Gradescope" in warnings[0]
        books[chosen] = Path(str(book) + ".csv").read_text()
    assert len(set(books.values())) == 1, "both sandboxes give the class the same grades"


def test_autograding_with_the_hidden_checks_refuses_an_unconfined_sandbox_unless_accepted(tmp_path):
    upload = tmp_path / "upload"
    shutil.copytree(LESSON1.solution, upload, ignore=IGNORED)
    command = ["autograde", "lesson1", str(upload), "--instructor"]
    refused = run_grade(*command, GRADE_SANDBOX="portable")
    assert refused.returncode == 4 and refused.stderr.count("\n") == 1 and "pass --unconfined" in refused.stderr
    accepted = run_grade(*command, "--unconfined", GRADE_SANDBOX="portable")
    assert accepted.returncode == 0 and accepted.stderr.count("grade: warning:") == 1
    assert run_grade("autograde", "lesson1", str(upload), "--unconfined").returncode == 2  # it goes with --instructor


def test_a_memory_watch_stops_a_process_whose_memory_grows_past_the_limit():
    grows = "import time\nhoard = []\nwhile True:\n    hoard.append(bytearray(20 * 2**20))\n    time.sleep(0.02)"
    grower = subprocess.Popen([sys.executable, "-c", grows], start_new_session=True)
    watch = MemoryWatch(150 * 2**20)
    try:
        watch.watch(grower.pid)
        code = grower.wait(timeout=30)
    finally:
        watch.stop()
        grower.kill()
        grower.wait()
    assert grower.pid in watch.stopped and code != 0


def test_a_connection_without_an_issued_token_is_dropped():
    listener = Listener()
    try:
        token, env = listener.environment()
        host, port, _ = env["GRADE_CHANNEL"].rsplit(":", 2)
        stranger = socket.create_connection((host, int(port)))
        protocol.send(stranger, {"token": "guessed"})
        child = socket.create_connection((host, int(port)))
        protocol.send(child, {"token": token})
        accepted = listener.accept(token, timeout=10, alive=lambda: True)
        protocol.send(accepted, {"hello": "child"})
        assert protocol.receive(child, timeout=5) == {"hello": "child"}
        with pytest.raises(protocol.ChannelClosed):
            protocol.receive(stranger, timeout=5)
    finally:
        listener.close()


# A notebook's kernel ------------------------------------------------------------------------------------------

def test_a_handed_in_notebook_with_the_portable_sandbox_passes_and_leaves_nothing_running(tmp_path, running):
    marker = str(3000 + uuid.uuid4().int % 5000)
    notebook = build(COURSE, LESSON1, app=LESSON1.solution)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep({marker})'], start_new_session=True)"))
    nbformat.write(notebook, tmp_path / "handed_in.ipynb")
    result = run_grade("lesson1", "--path", str(tmp_path / "handed_in.ipynb"), "--json", GRADE_SANDBOX="portable")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["score"] == 15
    assert not running(f"time.sleep({marker})")


# What a student's own system does to their files and terminal -------------------------------------------------

def _crlf(folder: Path) -> None:
    """Save every text file of ``folder`` with Windows line endings, as an editor on Windows may."""
    for path in folder.rglob("*"):
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))


def test_solutions_saved_with_windows_line_endings_get_full_marks(tmp_path):
    not_full = {}
    for lesson in COURSE.lessons:
        copy = tmp_path / lesson.id
        shutil.copytree(lesson.solution, copy, ignore=IGNORED)
        _crlf(copy)
        report = grade(COURSE, lesson, copy, include_hidden=True, regression=False)
        if not report.passed:
            not_full[lesson.id] = [check.id for check in report.checks if not check.passed]
    assert not_full == {}


def test_mutants_and_drift_read_windows_line_endings(tmp_path):
    lesson = COURSE.find("lesson3")
    course = tmp_path / "course"
    for folder in ("lessons", "exercises", "solutions"):
        shutil.copytree(COURSE_ROOT / folder, course / folder, ignore=IGNORED)
    _crlf(course / "solutions")
    _crlf(course / "exercises")
    copied = Course.load(course).find(lesson.id)
    assert drift(Course.load(course), copied) == []
    mutant = mutants(lesson)[0]
    mutant.apply(copied.solution, tmp_path / "mutant")
    report = grade(COURSE, lesson, tmp_path / "mutant", include_hidden=True, regression=False)
    assert {check.id.split("::")[1] for check in report.checks if not check.passed} >= set(mutant.catches)


@pytest.mark.parametrize("args", [["lesson1", "--solution"], ["lesson1", "--solution", "--html"], ["list"],
                                  ["progress"], ["doctor"]])
def test_a_terminal_that_cannot_show_every_character_is_no_crash(args):
    result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, encoding="cp1252",
                            timeout=300, check=False, cwd=COURSE_ROOT,
                            env={**os.environ, "PYTHONIOENCODING": "cp1252"})  # a Windows pipe: the code page, no ✓
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr


COUNTER = """
import sys
from pathlib import Path
from grader.student.progress import updating
for _ in range(int(sys.argv[2])):
    with updating(Path(sys.argv[1])) as progress:
        entry = progress.lessons.setdefault("lesson1", {})
        entry["count"] = entry.get("count", 0) + 1
"""


def test_the_progress_lock_loses_no_update(tmp_path):
    writers = [subprocess.Popen([sys.executable, "-c", COUNTER, str(tmp_path), "25"]) for _ in range(4)]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    with updating(tmp_path) as progress:
        assert progress.lessons["lesson1"]["count"] == 100

