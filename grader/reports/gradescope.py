"""A report as Gradescope's ``results.json``: what ``grade --json`` prints and every export writes."""

from __future__ import annotations

from typing import Any

from ..causes import explanations
from ..report import Report, rows_text


def gradescope_results(report: Report) -> dict[str, Any]:
    """Gradescope's results.json: a test per check; hidden checks are shown once grades are published."""
    if report.load_error:
        output = f"Your app did not load: {report.load_error['title']}\n{report.load_error.get('detail', '')}".strip()
    else:
        own = [check for check in report.checks if not check.regression]
        output = f"{sum(check.passed for check in own)} of {len(own)} checks pass."
        if any(not check.passed for check in report.checks if check.regression):
            output += " Some checks from earlier lessons no longer pass: they carry no points, but must pass."
    explained = explanations(report)
    return {
        "score": report.score,
        "execution_time": round(report.seconds),
        "output": output,
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": check.title if not check.regression else f"{check.title} (from {check.lesson})",
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.passed else "failed",
                "output": rows_text(explained.get(check.id, [])),
                "output_format": "text",
                "visibility": "after_published" if check.hidden else "visible",
                "tags": [check.lesson, *(["earlier lesson"] if check.regression else [])],
            }
            for check in report.checks
        ],
    }
