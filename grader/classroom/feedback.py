"""Each student's feedback from the gradebook: Markdown or a web page with the explanations the student
sees, or Gradescope's results.json, one file per student."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from ..causes import Entry, entries
from ..course import Course, Lesson
from ..report import rows_text
from ..reports.gradescope import gradescope_results
from .gradebook import Entry as Graded


def _points(value: float) -> str:
    return f"{value:g}"


def feedback_markdown(lesson: Lesson, graded: Graded) -> str:
    """A student's feedback: every check, and for each failure the rows the student would read;
    earlier lessons' checks that fail the same way are one entry."""
    lines = [f"# Lesson {lesson.number} · {lesson.title}", "",
             f"Feedback for **{graded.student}** on `{graded.submission}`, graded {graded.graded}.", ""]
    report = graded.report
    if report is None:
        return "\n".join([*lines, f"Not graded: {graded.error}", ""])
    own, broken = entries(report)
    passed = sum(entry.check.passed for entry in own)
    lines += [f"**Score {_points(report.score)}/{_points(report.max_score)}** · {passed} of {len(own)} checks pass", ""]
    if report.load_error:
        lines += [f"## Your app did not load: {report.load_error['title']}", "",
                  *_fenced(report.load_error.get("detail", "")), ""]
    lines += ["## Checks", ""]
    lines += _entry_lines(own, details=report.load_error is None)
    earlier = [check for check in report.checks if check.regression]
    if earlier and report.load_error is None:
        lines += ["## Earlier lessons", ""]
        if broken:
            failing = sum(len(entry.checks) for entry in broken)
            lines += [f"{failing} of {len(earlier)} checks from earlier lessons no longer pass, and they must:", ""]
            lines += _entry_lines(broken, details=True)
        else:
            lines += [f"All {len(earlier)} checks from earlier lessons still pass.", ""]
    return "\n".join(lines)


def _entry_lines(shown: list[Entry], details: bool) -> list[str]:
    lines = []
    for entry in shown:
        check = entry.check
        mark = "✓" if check.passed else "✗"
        points = "" if check.regression else f" — {_points(check.score)}/{_points(check.max_score)}"
        hidden = " *(hidden check)*" if check.hidden else ""
        lines.append(f"- {mark} {entry.title}{points}{hidden}")
        if len(entry.checks) > 1:
            lines += [f"  - {each.title}" for each in entry.checks]
        if details and entry.rows:
            lines += ["", *(f"  {line}" for line in _fenced(rows_text(entry.rows))), ""]
    return [*lines, ""]


def _fenced(text: str) -> list[str]:
    """``text`` as a Markdown code block whose fence no backticks in it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *text.splitlines(), fence]


def feedback_html(course: Course, lesson: Lesson, graded: Graded) -> str:
    """The same feedback as a web page: the report as the notebooks and the course site show it."""
    from ..reports.html import problem_html, report_html

    body = problem_html(graded.error or "") if graded.report is None else report_html(course, lesson, graded.report)
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(graded.student)} · Lesson {lesson.number}</title>\n"
            "<style>body{margin:2rem auto;max-width:60rem;padding:0 1rem}</style>\n</head>\n<body>\n"
            f"<p>Feedback for <b>{escape(graded.student)}</b> on <code>{escape(graded.submission)}</code>, "
            f"graded {escape(graded.graded)}.</p>\n{body}\n</body>\n</html>\n")


def write_per_student(course: Course, lesson: Lesson, grades: Iterable[Graded], folder: Path, kind: str) -> int:
    """One file per graded student in ``folder``: feedback (``md`` or ``html``) or ``results.json``."""
    written = 0
    for graded in grades:
        if kind == "results.json":
            if graded.report is None:
                continue
            target = folder / graded.student / "results.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(gradescope_results(graded.report), indent=2), encoding="utf-8")
        else:
            text = feedback_html(course, lesson, graded) if kind == "html" else feedback_markdown(lesson, graded)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{graded.student}.{kind}").write_text(text, encoding="utf-8")
        written += 1
    return written
