"""Shared fixtures for the project's own tests, and the marks that skip a test where it cannot hold.

- ``@pytest.mark.linux_sandbox(why)``: the test needs the Linux sandbox: skipped on macOS and Windows, and
  where a test runs with the portable one.
- ``@pytest.mark.confined(why)``: the test needs the sandbox to confine the submission (a read-only file
  system, the course hidden): the Linux sandbox, on a kernel that allows mount namespaces.
- ``@pytest.mark.posix(why)``: the test needs POSIX (signals to another process, named pipes): skipped on Windows.
- The ``sandbox_mechanism`` fixture runs a test with each sandbox in turn (``GRADE_SANDBOX``), the Linux one
  only where it exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from grader.course import Course
from grader.sandbox.capabilities import ENV, Mechanism, linux_available, mechanism, unconfined

MECHANISMS = [mechanism.value for mechanism in Mechanism]
# Every process this test session starts inherits this, so `running` finds ours, not another session's.
SESSION = "GRADE_TEST_SESSION"
os.environ[SESSION] = uuid.uuid4().hex
# The `grade` commands the tests run start a new Python each: none leaves a warm process behind (test_warm.py
# turns it on where it is the test's subject).
os.environ["GRADE_WARM"] = "0"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "linux_sandbox(why): needs the Linux sandbox")
    config.addinivalue_line("markers", "confined(why): needs a sandbox that confines the submission")
    config.addinivalue_line("markers", "posix(why): needs POSIX, not Windows")


def pytest_runtest_setup(item: pytest.Item) -> None:
    asked = item.callspec.params.get("sandbox_mechanism") if hasattr(item, "callspec") else None
    chosen = mechanism() if asked is None or not linux_available() else Mechanism(asked)
    needs_linux = item.get_closest_marker("linux_sandbox")
    if needs_linux is not None and chosen is not Mechanism.LINUX:
        pytest.skip(f"needs the Linux sandbox: {needs_linux.args[0]}")
    needs_confinement = item.get_closest_marker("confined")
    if needs_confinement is not None and (why := unconfined(chosen)) is not None:
        pytest.skip(f"needs a confined sandbox: {needs_confinement.args[0]} ({why})")
    needs_posix = item.get_closest_marker("posix")
    if needs_posix is not None and os.name != "posix":
        pytest.skip(f"needs POSIX: {needs_posix.args[0]}")


@pytest.fixture(params=MECHANISMS)
def sandbox_mechanism(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test runs with this sandbox; the Linux one is skipped where it does not exist."""
    if request.param == Mechanism.LINUX.value and not linux_available():
        pytest.skip("the Linux sandbox needs Linux")
    monkeypatch.setenv(ENV, request.param)
    return request.param


@pytest.fixture
def running() -> Callable[[str], list[int]]:
    """Processes this test session started whose command line contains a given text, found on any system
    (zombies are not running)."""

    def find(marker: str) -> list[int]:
        found = []
        for process in psutil.process_iter(["cmdline", "status"]):
            if process.info["status"] == psutil.STATUS_ZOMBIE or marker not in " ".join(process.info["cmdline"] or ()):
                continue
            try:
                if process.environ().get(SESSION) == os.environ[SESSION]:
                    found.append(process.pid)
            except psutil.Error:  # ended, or another user's
                continue
        return found

    return find


@pytest.fixture(scope="session")
def course() -> Course:
    return Course.load()


@pytest.fixture
def workspace(tmp_path: Path, course: Course) -> Path:
    """A student's clone of the course: lessons, exercises and solutions, committed to a fresh git repository."""
    root = tmp_path / "course"
    for folder in ("lessons", "exercises", "solutions"):
        shutil.copytree(course.root / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__", ".grade"))
    git = ["git", "-C", str(root), "-c", "user.name=Student", "-c", "user.email=student@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "The course"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    return root


@pytest.fixture
def grade_in(workspace: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``grade`` as a student does, in the workspace (GRADE_ROOT points the command at it)."""

    def run(*args: str, answer: str = "") -> subprocess.CompletedProcess[str]:
        """``answer`` is what the student types at a question; none means the input ends at once."""
        return subprocess.run([sys.executable, "-m", "grader", *args], check=False, capture_output=True, text=True,
                              input=answer, cwd=workspace, env={**os.environ, "GRADE_ROOT": str(workspace)},
                              timeout=120)

    return run
