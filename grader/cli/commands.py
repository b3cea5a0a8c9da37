"""Running a ``grade`` command in this process: every audience's commands, one line for each error, the
exit code, and an exit that does not wait for Python to free every object."""

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


def run() -> int:
    """Run the command ``sys.argv`` names; its exit code. Usage errors (2), a broken course (3) and a sandbox
    this system cannot give are one line on stderr."""
    _never_fail_to_print()
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as error:
        click.echo(f"grade: error: {visible(error.format_message())}", err=True)
        return error.exit_code
    except Unavailable as error:  # GRADE_SANDBOX asks for what this system cannot do
        click.echo(f"grade: error: {error}", err=True)
        return EXIT_USAGE
    except click.Abort:
        return 130
    return code if isinstance(code, int) else EXIT_PASSED


def finish(code: int) -> NoReturn:
    """Exit once everything is written: Python's own shutdown, which frees the grader's objects one by one
    (pytest's, the checks', the report's: 50 ms after lesson 11), is time no one needs. Exit handlers still run."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, a stream closed
            stream.flush()
    os._exit(code)
