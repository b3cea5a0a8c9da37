"""What a lesson's notebook calls: ``check("lesson3")`` grades the files the notebook's cells wrote.

It runs ``grade lesson3 --path work/lesson3 --html`` in a process of its own, never in the kernel:
the same engine, limits and verdicts as in a terminal, and nothing grading does (forking sandboxes,
killing whatever they leave running) can touch the kernel or what the student started in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..reports.html import problem_html
from ..sandbox import Limits

if TYPE_CHECKING:
    from IPython.display import HTML

WORKSPACE = Path("work")  # where, beside the notebook, its cells write each lesson's app
SPARE_SECONDS = 30  # on top of the submission's own time limit, for the grader to start and report


def check(lesson: str, folder: str | Path | None = None) -> HTML:
    """Grade ``folder`` (``work/<lesson>`` by default) for ``lesson``; Jupyter shows the verdicts as HTML."""
    from IPython.display import HTML  # here, not above: only a kernel needs IPython

    target = Path(folder) if folder is not None else Path(WORKSPACE, lesson)
    if not target.is_dir():
        return HTML(problem_html(f"there is no folder {target}/ yet: run the cells above first."))
    try:
        done = subprocess.run([sys.executable, "-m", "grader", lesson, "--path", str(target.resolve()), "--html"],
                              capture_output=True, encoding="utf-8", errors="replace", check=False,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # Windows' code page has no ✓
                              timeout=Limits.submission_seconds + SPARE_SECONDS)
    except subprocess.TimeoutExpired:
        return HTML(problem_html("the grader did not answer in time."))
    if done.returncode not in (0, 1):
        lines = done.stderr.strip().splitlines() or [f"the grader stopped with exit code {done.returncode}"]
        return HTML(problem_html(lines[-1].removeprefix("grade: error: ")))
    return HTML(done.stdout)
