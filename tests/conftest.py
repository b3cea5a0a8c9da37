"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.course import Course


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
