"""The grader's temporary folders, named after the process that made them, so that what a killed
grader left behind (a sandbox, a notebook's run, a batch's scratch) is removed at the next start."""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from pathlib import Path

OURS = re.compile(r"grade-(?:[a-z]+-)?(\d+)-[a-z0-9_]+")


def _dead(pid: int) -> bool:
    if os.name != "posix":  # there os.kill(pid, 0) would end the process
        import psutil

        return not psutil.pid_exists(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process: alive
        return False
    return False


@functools.cache  # once per folder and process: a grader's own folders are never swept under it
def _sweep(where: str) -> None:
    """Remove the folders in ``where`` of grader processes that no longer exist."""
    try:
        entries = list(os.scandir(where))
    except OSError:
        return
    for entry in entries:
        match = OURS.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and _dead(int(match[1])):
            shutil.rmtree(entry.path, ignore_errors=True)


def new_folder(kind: str = "", where: str | None = None) -> Path:
    """A new private folder in ``where`` (default: the system's temporary folder), named after this process."""
    where = where or tempfile.gettempdir()
    _sweep(where)
    return Path(tempfile.mkdtemp(prefix=f"grade-{kind + '-' if kind else ''}{os.getpid()}-", dir=where))
