"""The ``grade`` command, split by audience: ``student`` (grade, watch, hint, progress, reset, serve...),
``instructor`` (batch grading, grading an upload on a platform, exports) and ``author`` (notebooks);
``base`` is what they share, ``commands`` runs them in this process, and ``warm`` runs them in a
process that has the grader imported already.

``grade lesson3`` grades ``exercises/lesson3``; a first word that is not a sub-command names a lesson.
"""

from __future__ import annotations

from typing import NoReturn


def main() -> NoReturn:
    """Run ``grade`` with this process's arguments: in the warm process when one is running, else here (and
    then a grading command leaves one running for the next ``grade``). Imports nothing heavy before that."""
    from . import warm

    warm.hand_over()
    from .commands import finish, run

    finish(run())
