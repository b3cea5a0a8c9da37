"""The result of grading one submission for one lesson, and its JSON form.

The JSON is shaped like Gradescope's results.json (``score``, ``max_score``, ``tests`` with
``name``/``score``/``max_score``/``status``/``output``), with a few keys of ours added so every
front end (terminal, notebook, web page, gradebook) can be built from the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CheckResult:
    """One check's verdict. ``failure`` holds the pieces of the explanation, or None if it passed."""

    id: str
    lesson: str
    title: str
    points: float
    hints: tuple[str, ...]
    hidden: bool
    regression: bool
    failure: dict[str, Any] | None = None
    output: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def score(self) -> float:
        return self.points if self.passed and not self.regression else 0.0

    @property
    def max_score(self) -> float:
        return 0.0 if self.regression else self.points


def failure_lines(failure: dict[str, Any]) -> list[tuple[str, str]]:
    """The explanation of a failure as ``(label, text)`` rows, the same for every front end."""
    rows: list[tuple[str, str]] = []
    if failure.get("sent"):
        rows.append(("sent", failure["sent"]))
    if failure.get("got"):
        rows.append(("got", failure["got"]))
    error = failure.get("error")
    if error:
        rows.append(("raised", f"{error['type']}: {error['message']}"))
        for frame in error.get("frames", [])[-3:]:
            rows.append(("at", f"{frame['file']}, line {frame['line']}, in {frame['function']}: {frame['code']}"))
        if error.get("advice"):
            rows.append(("means", error["advice"]))
    if failure.get("expected"):
        rows.append(("expected", failure["expected"]))
    if failure.get("load_error", {}).get("detail"):
        rows.append(("why", failure["load_error"]["detail"]))
    if failure.get("note"):
        rows.append(("note", failure["note"]))
    return rows


def explanation(check: CheckResult, hint_from: CheckResult | None = None) -> list[tuple[str, str]]:
    """Everything a student reads under a failed check: the failure, the first hint (of ``hint_from``,
    a check that fails for the same reason and names it better), what it printed."""
    if check.failure is None:
        return []
    rows = failure_lines(check.failure)
    hints = (hint_from or check).hints
    if hints:
        rows.append(("hint", hints[0]))
    if check.output.strip():
        rows.append(("printed", check.output.strip()[:500]))
    return rows


def rows_text(rows: list[tuple[str, str]]) -> str:
    """Explanation rows as plain text, labels aligned."""
    return "\n".join(f"{label:>9}  {text}" for label, text in rows)


def failure_text(check: CheckResult) -> str:
    return rows_text(explanation(check))


@dataclass
class Report:
    lesson: str
    title: str
    checks: list[CheckResult] = field(default_factory=list)
    load_error: dict[str, Any] | None = None
    hidden_not_run: int = 0
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_score for check in self.checks)

    @property
    def passed(self) -> bool:
        return self.load_error is None and all(check.passed for check in self.checks)

    def first_failure(self) -> CheckResult | None:
        return next((check for check in self.checks if not check.passed), None)

    def tally(self) -> tuple[str, str]:
        """How many of the lesson's own checks pass, and why the lesson fails all the same ("" if it does
        not): the score counts the lesson's own checks, so every front end says when an earlier one fails."""
        own = [check for check in self.checks if not check.regression]
        passed = sum(check.passed for check in own)
        regressed = 0 if self.load_error else sum(not check.passed for check in self.checks if check.regression)
        if not regressed:
            return f"{passed} of {len(own)} checks pass", ""
        broken = "a check from an earlier lesson no longer passes" if regressed == 1 else \
            f"{regressed} checks from earlier lessons no longer pass"
        return f"{passed} of {len(own)} of this lesson's checks pass", f"but the lesson fails: {broken}"

    def to_json(self) -> dict[str, Any]:
        output = ""
        if self.load_error:
            output = f"{self.load_error['title']}\n{self.load_error.get('detail', '')}".strip()
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.seconds, 3),
            "output": output,
            "lesson": self.lesson,
            "title": self.title,
            "passed": self.passed,
            "load_error": self.load_error,
            "hidden_checks_not_run": self.hidden_not_run,
            "tests": [
                {
                    "name": check.title,
                    "score": check.score,
                    "max_score": check.max_score,
                    "status": "passed" if check.passed else "failed",
                    "output": failure_text(check),
                    "execution_time": round(check.seconds, 4),
                    "visibility": "hidden" if check.hidden else "visible",
                    "check": check.id,
                    "lesson": check.lesson,
                    "regression": check.regression,
                    "hints": list(check.hints),
                    "failure": check.failure,
                }
                for check in self.checks
            ],
        }
