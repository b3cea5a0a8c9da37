"""The ``grade`` command, split by audience: ``student`` (grade, watch, hint, progress, reset, serve...),
``instructor`` (batch grading, grading an upload on a platform, exports) and ``author`` (notebooks);
``base`` is what they share.

``grade lesson3`` grades ``exercises/lesson3``; a first word that is not a sub-command names a lesson.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from typing import NoReturn

import click

from ..sandbox.capabilities import Unavailable
from . import author, instructor, student  # noqa: F401 - importing them adds their commands to the group
from ..reports.escape import visible
from .base import EXIT_PASSED, EXIT_USAGE, cli


def _never_fail_to_print() -> None:
    """A Windows pipe or file is written in the system's code page, which has no ✓: print ? rather than crash."""
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]


def _exit(code: int) -> NoReturn:
    """Exit once everything is written: Python's own shutdown, which frees the grader's objects one by one
    (pytest's, the checks', the report's: 50 ms after lesson 11), is time no one needs. Exit handlers still run."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, a stream closed
            stream.flush()
    os._exit(code)


def main() -> NoReturn:
    _never_fail_to_print()
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as error:  # usage errors exit with 2, a broken course with 3
        click.echo(f"grade: error: {visible(error.format_message())}", err=True)
        _exit(error.exit_code)
    except Unavailable as error:  # GRADE_SANDBOX asks for what this system cannot do
        click.echo(f"grade: error: {error}", err=True)
        _exit(EXIT_USAGE)
    except click.Abort:
        _exit(130)
    _exit(code if isinstance(code, int) else EXIT_PASSED)
