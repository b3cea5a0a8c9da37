"""The throw-away copy of a submission that its code runs on: what is copied, and what is refused."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

# instance/ is Flask's folder for local data (a database, secrets): grading never depends on it.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".venv", "venv", ".grade", ".pytest_cache",
                                 "instance")


class NotCopied(Exception):
    """The submission cannot be graded as it is: ``args`` are what is wrong and how to fix it."""


def copy_submission(source: Path, target: Path, max_bytes: int) -> None:
    """Copy the submission so the student's code runs on a throw-away copy, never the original."""
    total = 0

    def copy(src: str, dst: str) -> None:
        nonlocal total
        if not stat.S_ISREG(os.stat(src).st_mode):  # reading a named pipe or a device would block or never end
            raise NotCopied(f"{Path(src).relative_to(source).as_posix()} is not a regular file (a pipe, socket or device)",
                            "Remove it from the folder: a submission holds only code and data files.")
        total += os.path.getsize(src)
        if total > max_bytes:
            raise NotCopied(f"the submission is larger than {max_bytes // 2**20} MB", "Remove large files from the folder.")
        shutil.copy2(src, dst)

    shutil.copytree(source, target, ignore=IGNORED, copy_function=copy, symlinks=True)
