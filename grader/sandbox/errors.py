"""How grading a submission can go wrong, each as an exception whose message is the verdict's words.

Raised in the sandbox, caught by the engine, shown to the student: none of them is the course's fault.
"""

from __future__ import annotations

from typing import Any


class StudentError(Exception):
    """Student code raised an exception while the grader exercised it."""

    def __init__(self, action: str, info: dict[str, Any]) -> None:
        super().__init__(f"{action} raised {info.get('type')}: {info.get('message')}")
        self.action = action
        self.info = info


class LimitExceeded(Exception):
    """The submission hit one of the limits (time, memory, output) or died."""


class TimedOut(LimitExceeded):
    """A check ran out of time: its worker was killed."""


class AppDidNotLoad(Exception):
    """The student's app could not be loaded or built; ``info`` explains why."""

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info["title"])
        self.info = info


class BadSubmission(Exception):
    """The path given cannot be graded; the message says why in one line."""


class NotebookFailed(Exception):
    """A notebook's run from the top stopped (a cell raised, or did not finish): a verdict, not a usage error.

    ``info`` says which cell and why, shaped like an app's load error.
    """

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info["title"])
        self.info = info


class KernelDidNotStart(Exception):
    """No Jupyter kernel could be started to run a notebook: the machine's problem, not the submission's."""
