"""Which failures share a cause, so that feedback names each cause once.

One mistake often fails several checks the same way: an error handler that answers 200 fails every
check that expects a 404, a factory that returns the wrong object fails them all. Shown check by
check, that is a wall of identical failures, each with a hint about its own topic. Here, failures
with the same kind of mistake and the same response are one ``Cause``; feedback gives the hint of
the check that names the cause (the status it expected, the exception raised) and lists the earlier
lessons' checks it broke as one entry that says how many.

``mistake`` is also how the class summary groups students: from a failure's structured data (the
status, the exception type, what was expected), never from page excerpts, so equal mistakes get
equal keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .report import CheckResult, Report, explanation

STATUS = re.compile(r"(\d{3})\b")


def mistake(failure: dict[str, Any]) -> str:
    """The kind of mistake a failure is, in a few words: "status 200 instead of 404", "raised KeyError",
    "did not load: …", or what the check expected."""
    if failure.get("load_error"):
        return f"did not load: {failure['load_error']['title']}"
    if failure.get("error"):
        return f"raised {failure['error']['type']}"
    if failure.get("limit"):
        return str(failure["limit"])
    if failure.get("grader_error"):
        return "the grader failed"
    expected = str(failure.get("expected") or "")
    status = STATUS.match(str(failure.get("got") or ""))
    if expected.startswith("status ") and status:
        return f"status {status.group(1)} instead of {expected.removeprefix('status ')}"
    return f"expected {expected}" if expected else "failed"


def _symptom(failure: dict[str, Any]) -> tuple[str, ...]:
    """What makes two failures the same: the kind of mistake and everything the app answered."""
    error = failure.get("error") or {}
    return (mistake(failure), str(failure.get("got") or ""), str(failure.get("note") or ""),
            str(error.get("message", "")))


def _needle(failure: dict[str, Any]) -> str | None:
    """Words a hint about this mistake contains: the status expected, or the exception's name."""
    if failure.get("error"):
        return str(failure["error"]["type"])
    expected = str(failure.get("expected") or "")
    status = STATUS.search(expected)
    return f"status {status.group(1)}" if expected.startswith("status ") and status else None


@dataclass(frozen=True)
class Cause:
    """Failures that are one mistake: ``checks`` in the report's order (earlier lessons first)."""

    mistake: str
    checks: tuple[CheckResult, ...]
    lead: CheckResult  # the check whose hint is about this mistake, else the first
    named: bool  # whether the lead's first hint names the mistake (then it is every check's hint)

    @property
    def earlier(self) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.checks if check.regression)

    @property
    def own(self) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.checks if not check.regression)


def causes(report: Report) -> list[Cause]:
    """The report's failures grouped by cause, in the order of each cause's first check."""
    groups: dict[tuple[str, ...], list[CheckResult]] = {}
    for check in report.checks:
        if check.failure is not None:
            groups.setdefault(_symptom(check.failure), []).append(check)
    found = []
    for checks in groups.values():
        needle = _needle(checks[0].failure or {})
        lead = next((check for check in checks if needle and check.hints and needle in check.hints[0]), None)
        found.append(Cause(mistake(checks[0].failure or {}), tuple(checks), lead or checks[0], lead is not None))
    return found


def first_cause(report: Report) -> Cause | None:
    """The cause to fix first: that of the report's first failing check."""
    first = report.first_failure()
    return next((cause for cause in causes(report) if first in cause.checks), None)


@dataclass(frozen=True)
class Entry:
    """One line of feedback: a check, or several earlier lessons' checks that fail the same way, with
    the rows to show under it (none when the same failure is shown above)."""

    checks: tuple[CheckResult, ...]
    rows: list[tuple[str, str]]
    title: str

    @property
    def check(self) -> CheckResult:
        return self.checks[0]


def _rows(check: CheckResult, cause: Cause) -> list[tuple[str, str]]:
    """The check's explanation, with the hint that names its cause, and how many checks share it."""
    hinted = cause.lead if cause.named else check
    rows = explanation(check, hint_from=hinted)
    others = len(cause.checks) - 1
    if others:
        source = f"; the hint is that of “{hinted.title}”" if hinted is not check else ""
        labels = [label for label, _ in rows]
        where = labels.index("hint") if "hint" in labels else len(rows)
        others_fail = "1 other check fails" if others == 1 else f"{others} other checks fail"
        rows.insert(where, ("cause", f"{others_fail} the same way ({cause.mistake}){source}"))
    return rows


def explanations(report: Report) -> dict[str, list[tuple[str, str]]]:
    """Each failing check's explanation, by check id, with the hint of its cause and how many share it
    (an app that did not load fails every check for that one reason, which is said once, above them)."""
    if report.load_error:
        return {check.id: explanation(check) for check in report.checks if not check.passed}
    return {check.id: _rows(check, cause) for cause in causes(report) for check in cause.checks}


def entries(report: Report) -> tuple[list[Entry], list[Entry]]:
    """Feedback for a loaded app: an entry per check of the lesson, then one per earlier lesson's failure,
    identical ones collapsed into one entry that says how many."""
    rows = explanations(report)
    own = [Entry((check,), rows.get(check.id, []), check.title) for check in report.checks if not check.regression]
    earlier = []
    for cause in causes(report):
        broken = cause.earlier
        if not broken:
            continue
        if len(broken) == 1 and not cause.own:
            earlier.append(Entry(broken, rows[broken[0].id], broken[0].title))
            continue
        if cause.own:
            shown = [("cause", f"the same failure as “{cause.own[0].title}” above")]
        else:
            shown = explanation(broken[0], hint_from=cause.lead if cause.named else broken[0])
        title = broken[0].title if len(broken) == 1 else (
            f"{len(broken)} checks from earlier lessons fail the same way: {cause.mistake}")
        earlier.append(Entry(broken, shown, title))
    return own, earlier
