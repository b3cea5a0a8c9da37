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


def shown(path: str, root: str) -> str:
    """``path`` (inside ``root``) as a student reads it: relative, with ``/`` on every system."""
    return os.path.relpath(path, root).replace(os.sep, "/")


def _relative(filename: str, root: str) -> str | None:
    path = os.path.abspath(filename)
    if path.startswith(root + os.sep):
        return shown(path, root)
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


# Flask's most common complaints, in the words a beginner needs (matched on the message).
PLAIN_WORDS = (
    ("did not return a valid response",
     ("A view or error handler ended without returning a response (it returned None), or returned "
      "something Flask cannot send, like an int or (status, body) in the wrong order. Check every branch "
      "ends with `return`.")),
    ("TemplateNotFound", ("Flask looks for templates in the templates/ folder next to the module that "
                          "created the app. Check the folder and the file name.")),
    ("Could not build url for endpoint",
     "url_for takes an endpoint name (the view function's name, or blueprint.function), not a URL."),
    ("no secret key was set", "Set app.config[\"SECRET_KEY\"] (or app.secret_key) before using the session or flash."),
    ("is undefined", "The template uses a variable you did not pass to render_template (or a misspelled one)."),
    ("Working outside of application context",
     "This code needs an app context: run it inside a request, or under `with app.app_context():`."),
    ("Working outside of request context", "This code needs a request: it only works inside a view."),
    ("overwriting an existing endpoint function",
     ("Two views got the same endpoint name, which Flask takes from the function's name: two view functions "
      "with the same name, or a decorator whose inner function (wrapper, wrapped_view) is registered without "
      "@functools.wraps(view).")),
)


def plain_words(error: BaseException) -> str | None:
    text = f"{type(error).__name__}: {error}"
    return next((advice for needle, advice in PLAIN_WORDS if needle in text), None)


def describe(error: BaseException, root: str) -> dict[str, Any]:
    """``{"type", "message", "frames"}`` for any exception raised by student code."""
    message = str(error).replace(os.path.join(root, ""), "")  # the sandbox's own folder means nothing to a student
    if isinstance(error, OSError) and error.errno == errno.EFBIG:
        message = "your code printed (or wrote to a file) more than the grader's output limit allows"
    elif isinstance(error, MemoryError):
        message = "your code used more memory than the grader's limit allows"
    elif isinstance(error, SystemExit):
        message = f"sys.exit({error.code!r}) was called: a view must return a response, not end the program"
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    return {"type": type(error).__name__, "message": message, "frames": student_frames(error, root)[-5:],
            "advice": plain_words(error)}
