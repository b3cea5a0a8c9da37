"""Turn a student's exception into plain data a student can read: what, where, which line.

Runs inside the sandbox; only the resulting dict leaves it. Paths are shown relative to the
submission, never as absolute paths on the grading machine.
"""

from __future__ import annotations

import errno
import linecache
import os
import traceback
from typing import Any

MAX_MESSAGE = 600


def _relative(filename: str, root: str) -> str | None:
    path = os.path.abspath(filename)
    if path.startswith(root + os.sep):
        return os.path.relpath(path, root)
    return None


def student_frames(error: BaseException, root: str) -> list[dict[str, Any]]:
    """The traceback frames that are in the student's own files, outermost first."""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        relative = _relative(frame.filename, root)
        if relative is not None:
            code = frame.line or linecache.getline(frame.filename, frame.lineno or 0).strip()
            frames.append({"file": relative, "line": frame.lineno, "function": frame.name, "code": code})
    return frames


def describe(error: BaseException, root: str) -> dict[str, Any]:
    """``{"type", "message", "frames"}`` for any exception raised by student code."""
    message = str(error)
    if isinstance(error, OSError) and error.errno == errno.EFBIG:
        message = "your code printed (or wrote to a file) more than the grader's output limit allows"
    elif isinstance(error, MemoryError):
        message = "your code used more memory than the grader's limit allows"
    elif isinstance(error, SystemExit):
        message = f"sys.exit({error.code!r}) was called: a view must return a response, not end the program"
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    return {"type": type(error).__name__, "message": message, "frames": student_frames(error, root)[-5:]}
