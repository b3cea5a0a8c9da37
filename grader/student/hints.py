"""Hints on request, in steps.

A check's hints live with the lesson, in its ``@check(hints=[...])`` marker, from gentle to specific.
The first is shown with every failure; each ``grade hint`` reveals the next one for the first failing
check (or the check whose hint names the cause it shares with others), and the progress file remembers
how far the student has got, check by check.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..causes import first_cause
from ..report import CheckResult, Report
from .progress import Progress


@dataclass(frozen=True)
class HintStep:
    """The hints of one check the student may now read: the first ``shown`` of them."""

    check: CheckResult
    shown: int
    new: bool  # whether this request revealed a hint not seen before

    @property
    def hints(self) -> tuple[str, ...]:
        return self.check.hints[: self.shown]

    @property
    def more(self) -> bool:
        return self.shown < len(self.check.hints)


def next_hint(progress: Progress, report: Report) -> HintStep | None:
    """Reveal the next hint for the first thing to fix and remember it; None if every check passes.

    That is the first failing check, or, when several checks fail for the same reason, the one whose
    hint names that reason (``causes``)."""
    cause = first_cause(report)
    if cause is None:
        return None
    failing = cause.lead
    seen = progress.hints_shown(failing.lesson, failing.id)
    shown = min(seen + 1, len(failing.hints))
    if shown > seen:
        progress.set_hints_shown(failing.lesson, failing.id, shown)
    return HintStep(failing, shown, new=shown > seen)
