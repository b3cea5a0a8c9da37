"""The warm grade: a command handed over to it runs as it would in a Python of its own (the same verdicts,
output and exit code, on every lesson's solution and starter), Ctrl-C and a vanished terminal reach it and
leave nothing running, an answer typed at a question reaches it, and a warm process that is out of date steps
aside for a new one."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from grader.course import Course

pytestmark = [
    pytest.mark.skipif(not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")),
                       reason="the warm grade process is Linux's"),
    pytest.mark.linux_sandbox("the warm process forks each command; its sandbox forks too"),
]
COURSE = Course.load()
WARM = "ran in the warm grade process"
SECONDS = r"\(\d+\.\d+ s\)"  # how long grading took, as the summary line says


class Warm:
    """``grade`` run with the warm process on, in a folder of its own (a private runtime folder for the socket)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd  # `python -m grader` imports from here first: one warm process per folder
        self.folder = tempfile.mkdtemp(prefix="gw-")  # short: a socket's path has at most 107 bytes
        self.env = {**os.environ, "GRADE_WARM": "1", "XDG_RUNTIME_DIR": self.folder, "COLUMNS": "100"}

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "grader", *args]

    def run(self, *args: str, warm: bool = True, answer: str = "", env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(*args), cwd=self.cwd, capture_output=True, text=True, input=answer,
                              env={**self.env, **(env or {}), "GRADE_WARM": "1" if warm else "0"}, timeout=120)

    def server(self, timeout: float = 20.0) -> psutil.Process:
        """The warm process, once it listens (the first command leaves it, importing, in the background)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in Path(self.folder).glob("*.sock"):
                with socket.socket(socket.AF_UNIX) as probe:
                    if probe.connect_ex(str(path)) == 0:
                        found = self.servers()
                        assert len(found) == 1, found
                        return found[0]
            time.sleep(0.05)
        raise AssertionError("no warm process came up: " + " ".join(p.read_text() for p in Path(self.folder).glob("*.log")))

    def servers(self) -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(["cmdline"]):
            command = " ".join(process.info["cmdline"] or ())
            if "grader.cli.warm" in command and self.folder in command:
                found.append(process)
        return found

    def close(self) -> None:
        for process in self.servers():
            for child in process.children(recursive=True):
                child.kill()
            process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def warm(tmp_path: Path) -> Iterator[Warm]:
    (tmp_path / "cwd").mkdir()
    runs = Warm(tmp_path / "cwd")
    yield runs
    runs.close()


def started(warm: Warm) -> psutil.Process:
    """Leave a warm process running (a first grade does), and check that a command is handed over to it."""
    assert warm.run("lesson1", "--solution").returncode == 0
    server = warm.server()
    assert WARM in warm.run("doctor").stdout
    return server


def verdicts(output: str) -> dict:
    """The report's verdicts: score, statuses, and each failure as the checks explain it (not what the app printed,
    which has times and request ids in it)."""
    report = json.loads(output)
    return {"report": [report[key] for key in ("score", "max_score", "passed", "load_error")],
            "checks": [[check[key] for key in ("check", "status", "score", "failure")] for check in report["tests"]]}


def test_every_lesson_grades_the_same_warm_as_in_a_python_of_its_own(warm):
    server = started(warm)
    for lesson in COURSE.lessons:
        for target in (["--solution"], ["--path", str(lesson.exercise)]):
            cold, hot = (warm.run(lesson.id, *target, "--json", warm=on) for on in (False, True))
            assert (hot.returncode, verdicts(hot.stdout)) == (cold.returncode, verdicts(cold.stdout)), \
                f"{lesson.id} {target}"
    assert warm.servers() == [server]  # all of them in it: it never stepped aside


def test_the_terminal_shows_the_same_lines_and_errors_as_in_a_python_of_its_own(warm):
    started(warm)
    for args in (["lesson3", "--path", str(COURSE.find("lesson3").exercise)], ["lesson99"], ["lesson3", "--poll"]):
        cold, hot = (warm.run(*args, warm=on) for on in (False, True))
        assert hot.returncode == cold.returncode
        assert hot.stderr == cold.stderr
        # The same lines; the second grader process's verdicts come in whichever order they are done.
        assert sorted(re.sub(SECONDS, "", hot.stdout).splitlines()) == sorted(re.sub(SECONDS, "", cold.stdout).splitlines())
    assert warm.run("lesson99").stderr.count("\n") == 1


def test_an_answer_typed_at_a_question_reaches_the_command(warm, workspace):
    started(warm)
    env = {"GRADE_ROOT": str(workspace)}
    cold, hot = (warm.run("solution", "lesson2", answer="y\n", env=env, warm=on) for on in (False, True))
    assert "?" in hot.stdout and (hot.returncode, hot.stdout) == (cold.returncode, cold.stdout)


def watching(warm: Warm, folder: Path) -> tuple[subprocess.Popen[str], psutil.Process]:
    """``grade lesson1 --watch`` on a copy of the solution, handed over: the client, and the process running it."""
    shutil.copytree(COURSE.find("lesson1").solution, folder, ignore=shutil.ignore_patterns("__pycache__"))
    client = subprocess.Popen(warm.command("lesson1", "--watch", "--poll", "--path", str(folder)), cwd=warm.cwd,
                              env=warm.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert client.stdout is not None
    for line in client.stdout:
        if line.startswith("Score"):
            break
    (command,) = warm.servers()[0].children()
    return client, command


def ends_alone(server: psutil.Process, command: psutil.Process) -> None:
    """The command's process ends, and with it everything it started: the warm process has no child left."""
    command.wait(timeout=15)
    deadline = time.monotonic() + 15
    while server.children(recursive=True) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.children(recursive=True) == []


def test_ctrl_c_ends_the_command_and_its_sandbox(warm, tmp_path):
    server = started(warm)
    client, command = watching(warm, tmp_path / "s")
    client.send_signal(signal.SIGINT)
    rest, _ = client.communicate(timeout=15)
    assert client.returncode == 0 and "Stopped watching." in rest  # as a watch stopped with Ctrl-C ends
    ends_alone(server, command)


def test_a_vanished_terminal_ends_the_command_and_its_sandbox(warm, tmp_path):
    server = started(warm)
    client, command = watching(warm, tmp_path / "s")
    client.kill()
    client.wait()
    ends_alone(server, command)


def test_an_out_of_date_warm_process_steps_aside_for_a_new_one(warm):
    old = started(warm)
    (warm.cwd / "new_module.py").write_text("")  # a folder Python imports from changed
    assert warm.run("lesson1", "--solution", "--json").returncode == 0
    old.wait(timeout=15)
    new = warm.server()
    assert new.pid != old.pid and WARM in warm.run("doctor").stdout


def test_no_warm_process_when_it_is_turned_off(tmp_path):
    runs = Warm(tmp_path)
    try:
        assert runs.run("lesson1", "--solution", warm=False).returncode == 0
        time.sleep(1)
        assert runs.servers() == [] and "GRADE_WARM=0" in runs.run("doctor", warm=False).stdout
    finally:
        runs.close()
