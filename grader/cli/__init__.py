"""The ``grade`` command, split by audience: ``student`` (grade, watch, hint, progress, reset, serve...),
``instructor`` (batch grading, grading an upload on a platform, exports) and ``author`` (notebooks);
``base`` is what they share.

``grade lesson3`` grades ``exercises/lesson3``; a first word that is not a sub-command names a lesson.
"""

from __future__ import annotations

import sys

import click

from . import author, instructor, student  # noqa: F401 - importing them adds their commands to the group
from ..reports.escape import visible
from .base import EXIT_PASSED, cli


def main() -> None:
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as error:  # usage errors exit with 2, a broken course with 3
        click.echo(f"grade: error: {visible(error.format_message())}", err=True)
        sys.exit(error.exit_code)
    except click.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else EXIT_PASSED)
