"""What an instructor takes away from the gradebook: grade sheets, each student's feedback, and what
the class got wrong.

- a lesson's CSV: one row per student, a column per check, the total;
- the course's CSV: one row per student, a column per lesson;
- feedback per student, in Markdown or HTML, with the same explanations the student sees;
- Gradescope's results.json per student;
- the class summary: for each check, how many failed it and the most common wrong response.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, TextIO

from ..course import Course, Lesson
from ..report import CheckResult, Report, failure_text
from ..reports.gradescope import gradescope_results
from .gradebook import Entry


def _points(value: float) -> str:
    return f"{value:g}"


def _own(report: Report) -> list[CheckResult]:
    return [check for check in report.checks if not check.regression]


def _note(entry: Entry) -> str:
    if entry.report is None:
        return entry.error or "not graded"
    return f"did not load: {entry.report.load_error['title']}" if entry.report.load_error else ""


def lesson_csv(entries: list[Entry], out: TextIO) -> None:
    """One row per student: score, maximum, passed (every check, earlier lessons' too), a column per check."""
    columns: dict[str, None] = {}
    for entry in entries:
        if entry.report is not None:
            columns.update((check.id, None) for check in _own(entry.report))
    writer = csv.writer(out)
    writer.writerow(["student", "score", "max_score", "passed", *columns, "earlier_checks_failing", "note"])
    for entry in entries:
        report = entry.report
        if report is None:
            writer.writerow([entry.student, "", "", "", *([""] * len(columns)), "", _note(entry)])
            continue
        scores = {check.id: _points(check.score) for check in _own(report)}
        broken = sum(not check.passed for check in report.checks if check.regression)
        writer.writerow([entry.student, _points(report.score), _points(report.max_score),
                         "yes" if report.passed else "no", *(scores.get(column, "") for column in columns),
                         broken, _note(entry)])


def course_csv(course: Course, entries: Iterable[Entry], out: TextIO) -> None:
    """One row per student, a column per lesson graded (the latest score, from any of the gradebooks), the total."""
    latest: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        key = (entry.student, entry.lesson)
        if key not in latest or entry.graded > latest[key].graded:
            latest[key] = entry
    scores: dict[str, dict[str, float]] = {}
    for (student, lesson), entry in latest.items():
        row = scores.setdefault(student, {})
        if entry.report is not None:
            row[lesson] = entry.report.score
    graded = {lesson for row in scores.values() for lesson in row}
    lessons = [lesson.id for lesson in course.lessons if lesson.id in graded]
    writer = csv.writer(out)
    writer.writerow(["student", *lessons, "total"])
    for student in sorted(scores):
        row = scores[student]
        writer.writerow([student, *(_points(row[lesson]) if lesson in row else "" for lesson in lessons),
                         _points(sum(row.values()))])


def feedback_markdown(lesson: Lesson, entry: Entry) -> str:
    """A student's feedback: every check, and for each failure the rows the student would read."""
    lines = [f"# Lesson {lesson.number} · {lesson.title}", "",
             f"Feedback for **{entry.student}** on `{entry.submission}`, graded {entry.graded}.", ""]
    report = entry.report
    if report is None:
        return "\n".join([*lines, f"Not graded: {entry.error}", ""])
    own = _own(report)
    passed = sum(check.passed for check in own)
    lines += [f"**Score {_points(report.score)}/{_points(report.max_score)}** · {passed} of {len(own)} checks pass", ""]
    if report.load_error:
        lines += [f"## Your app did not load: {report.load_error['title']}", "",
                  *_fenced(report.load_error.get("detail", "")), ""]
    lines += ["## Checks", ""]
    lines += _check_lines(own, details=report.load_error is None)
    earlier = [check for check in report.checks if check.regression]
    broken = [check for check in earlier if not check.passed]
    if earlier and report.load_error is None:
        lines += ["## Earlier lessons", ""]
        if broken:
            lines += [f"{len(broken)} of {len(earlier)} checks from earlier lessons no longer pass, and they must:", ""]
            lines += _check_lines(broken, details=True)
        else:
            lines += [f"All {len(earlier)} checks from earlier lessons still pass.", ""]
    return "\n".join(lines)


def _check_lines(checks: list[CheckResult], details: bool) -> list[str]:
    lines = []
    for check in checks:
        mark = "✓" if check.passed else "✗"
        points = "" if check.regression else f" — {_points(check.score)}/{_points(check.max_score)}"
        hidden = " *(hidden check)*" if check.hidden else ""
        lines.append(f"- {mark} {check.title}{points}{hidden}")
        if details and not check.passed:
            lines += ["", *(f"  {line}" for line in _fenced(failure_text(check))), ""]
    return [*lines, ""]


def _fenced(text: str) -> list[str]:
    """``text`` as a Markdown code block whose fence no backticks in it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *text.splitlines(), fence]


def feedback_html(course: Course, lesson: Lesson, entry: Entry) -> str:
    """The same feedback as a web page: the report as the notebooks and the course site show it."""
    from ..reports.html import problem_html, report_html

    body = problem_html(entry.error or "") if entry.report is None else report_html(course, lesson, entry.report)
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(entry.student)} · Lesson {lesson.number}</title>\n"
            "<style>body{margin:2rem auto;max-width:60rem;padding:0 1rem}</style>\n</head>\n<body>\n"
            f"<p>Feedback for <b>{escape(entry.student)}</b> on <code>{escape(entry.submission)}</code>, "
            f"graded {escape(entry.graded)}.</p>\n{body}\n</body>\n</html>\n")


def write_per_student(course: Course, lesson: Lesson, entries: Iterable[Entry], folder: Path, kind: str) -> int:
    """One file per graded student in ``folder``: feedback (``md`` or ``html``) or ``results.json``."""
    written = 0
    for entry in entries:
        if kind == "results.json":
            if entry.report is None:
                continue
            target = folder / entry.student / "results.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(gradescope_results(entry.report), indent=2), encoding="utf-8")
        else:
            text = feedback_html(course, lesson, entry) if kind == "html" else feedback_markdown(lesson, entry)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{entry.student}.{kind}").write_text(text, encoding="utf-8")
        written += 1
    return written


@dataclass(frozen=True)
class CheckSummary:
    """How the class did on one check."""

    id: str
    title: str
    graded: int
    failed: int
    common: str  # the most common wrong response ("" if none failed)
    common_count: int


@dataclass(frozen=True)
class ClassSummary:
    """What to teach again: each check's failures among the apps that loaded, and why the others did not."""

    checks: list[CheckSummary]  # the most failed first
    loaded: int
    not_loaded: list[tuple[str, int]]  # each reason an app did not load, with how many, the most common first


def wrong_response(failure: dict[str, Any]) -> str:
    """What a failing app did, in the words of its explanation (to group students who made the same mistake)."""
    if failure.get("got"):
        return str(failure["got"])
    if failure.get("error"):
        return f"raised {failure['error']['type']}: {failure['error']['message']}"
    if failure.get("limit"):
        return str(failure["limit"])
    return f"not as expected: {failure.get('expected', '?')}"


def class_summary(entries: Iterable[Entry]) -> ClassSummary:
    """Every check of the lesson (earlier lessons' included) over the class's latest grades."""
    titles: dict[str, str] = {}
    responses: dict[str, Counter[str]] = {}
    graded: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    loaded = 0
    for entry in entries:
        if entry.report is None:
            continue
        if entry.report.load_error:
            reasons[entry.report.load_error["title"]] += 1
            continue
        loaded += 1
        for check in entry.report.checks:
            titles.setdefault(check.id, check.title)
            graded[check.id] += 1
            wrong = responses.setdefault(check.id, Counter())
            if check.failure is not None:
                wrong[wrong_response(check.failure)] += 1
    checks = []
    for check, title in titles.items():
        common, count = (responses[check].most_common(1) or [("", 0)])[0]
        checks.append(CheckSummary(check, title, graded[check], sum(responses[check].values()), common, count))
    return ClassSummary(sorted(checks, key=lambda summary: -summary.failed), loaded, reasons.most_common())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_markdown(lesson: Lesson, summary: ClassSummary) -> str:
    """The class summary as Markdown: what to teach again."""
    lines = [f"# Lesson {lesson.number} · {lesson.title}: class summary", "",
             f"{summary.loaded} submissions loaded; for each check, how many of them failed it.", "",
             "| check | failed | most common wrong response |", "| --- | --- | --- |"]
    for check in summary.checks:
        common = f"{check.common} ({check.common_count}×)" if check.failed else ""
        lines.append(f"| {_cell(check.title)} (`{check.id}`) | {check.failed} of {check.graded} | {_cell(common)} |")
    if summary.not_loaded:
        lines += ["", f"{sum(count for _, count in summary.not_loaded)} submissions did not load:", ""]
        lines += [f"- {reason} ({count}×)" for reason, count in summary.not_loaded]
    return "\n".join(lines) + "\n"
