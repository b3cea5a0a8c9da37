"""Files in a sandbox's folder, read by the grader without trusting them.

Student code can write anything into its sandbox: a link to a file only the grader may read, a FIFO
that blocks whoever opens it, a file of gigabytes. The grader therefore never follows a link there,
never waits on anything but a regular file, and never reads more than it shows.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has no symbolic links to worry about here
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)


def _open_regular(path: Path) -> int | None:
    """A descriptor reading ``path`` if it is a regular file (never a link, FIFO or device), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | _NO_FOLLOW | _NO_WAIT | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    if stat.S_ISREG(os.fstat(fd).st_mode):
        return fd
    os.close(fd)
    return None


def read_capped(path: Path, start: int = 0, limit: int = 4000) -> str:
    """At most ``limit`` bytes of ``path`` from ``start``, as text; "" if it is not a regular file."""
    fd = _open_regular(path)
    if fd is None:
        return ""
    with os.fdopen(fd, "rb") as file:
        file.seek(start)
        return file.read(limit).decode("utf-8", "replace")


def size_of(path: Path) -> int:
    """The size of ``path`` if it is a regular file (links not followed), else 0."""
    try:
        info = os.lstat(path)
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0
