"""Grade sheets from the gradebook, as CSV a spreadsheet opens safely.

- a lesson's sheet: a row per student (score, maximum, passed and why not, a column per check), under
  a row of the points each column is out of;
- the course's sheet: a row per student (matched whatever the case of their name, or by a roster), a
  column per lesson, the total; a cell says "not submitted" or "not graded" where there is no score.

A cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written
with a ``'`` in front, as OWASP advises, so that a name or a message from a submission is never run
by the spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import TextIO

from ..course import Course
from ..report import CheckResult, Report
from .gradebook import Entry

MAX_ROW = "(max points)"
NOT_SUBMITTED, NOT_GRADED = "not submitted", "not graded"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(cell: object) -> str:
    """A cell as text no spreadsheet takes for a formula."""
    text = str(cell)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Sheet:
    """Rows of a CSV file, every cell made ``safe``."""

    def __init__(self, out: TextIO) -> None:
        self.writer = csv.writer(out)

    def row(self, cells: Iterable[object]) -> None:
        self.writer.writerow([safe(cell) for cell in cells])


def _points(value: float) -> str:
    return f"{value:g}"


def _own(report: Report) -> list[CheckResult]:
    return [check for check in report.checks if not check.regression]


def why_not_passed(entry: Entry) -> str:
    """Why a student's submission does not pass, in a few words ("" if it passes): not graded, did not
    load, the lesson's checks it fails, the earlier lessons' checks it broke (which carry no points)."""
    report = entry.report
    if report is None:
        error = entry.error or NOT_GRADED
        return error if error.startswith(NOT_GRADED) else f"{NOT_GRADED}: {error}"
    if report.load_error:
        return f"did not load: {report.load_error['title']}"
    reasons = []
    failed = [check.id for check in _own(report) if not check.passed]
    broken = [check.id for check in report.checks if check.regression and not check.passed]
    if failed:
        reasons.append(f"failed {', '.join(failed)}")
    if broken:
        reasons.append(f"broke {', '.join(broken)} (earlier lessons: no points, but they must pass)")
    return "; ".join(reasons)


def lesson_csv(entries: list[Entry], out: TextIO) -> None:
    """A row per student: score, maximum, passed (every check, earlier lessons' too) and why not, a column
    per check; first, the points each column is out of."""
    points: dict[str, float] = {}
    maximum = 0.0
    for entry in entries:
        if entry.report is not None:
            maximum = max(maximum, entry.report.max_score)
            for check in _own(entry.report):
                points.setdefault(check.id, check.points)
    writer = _Sheet(out)
    writer.row(["student", "score", "max_score", "passed", "why_not_passed", *points])
    writer.row([MAX_ROW, _points(maximum), _points(maximum), "", "", *(_points(value) for value in points.values())])
    for entry in entries:
        report = entry.report
        if report is None:
            writer.row([entry.student, "", "", "", why_not_passed(entry), *([""] * len(points))])
            continue
        scores = {check.id: _points(check.score) for check in _own(report)}
        writer.row([entry.student, _points(report.score), _points(report.max_score), "yes" if report.passed else "no",
                    why_not_passed(entry), *(scores.get(column, "") for column in points)])


def course_csv(course: Course, entries: Iterable[Entry], out: TextIO, roster: Sequence[str] = ()) -> list[str]:
    """A row per student, a column per lesson graded (the latest grade from any of the gradebooks), the
    total; first, the points each lesson is out of.

    Students are matched whatever the case of their names. With a ``roster``, its students come first, in
    its order and spelling, each with a row even if they handed in nothing. Returns the students graded
    but not on the roster (they get rows too, after it).
    """
    latest: dict[tuple[str, str], Entry] = {}
    spelling: dict[str, str] = {name.casefold(): name for name in roster}
    for entry in entries:
        key = (entry.student.casefold(), entry.lesson)
        if key not in latest or entry.graded > latest[key].graded:
            latest[key] = entry
    for (student, _), entry in sorted(latest.items(), key=lambda item: item[1].graded, reverse=True):
        spelling.setdefault(student, entry.student)  # off the roster, as last graded
    graded = {lesson for _, lesson in latest}
    lessons = [lesson.id for lesson in course.lessons if lesson.id in graded]
    maxima = {lesson: max((entry.report.max_score for (_, each), entry in latest.items()
                           if each == lesson and entry.report is not None), default=0.0) for lesson in lessons}
    on_roster = [name.casefold() for name in roster]
    others = sorted({student for student, _ in latest} - set(on_roster), key=lambda student: spelling[student])
    writer = _Sheet(out)
    writer.row(["student", *lessons, "total"])
    writer.row([MAX_ROW, *(_points(maxima[lesson]) for lesson in lessons), _points(sum(maxima.values()))])
    for student in [*on_roster, *others]:
        cells = []
        total = 0.0
        for lesson in lessons:
            entry = latest.get((student, lesson))
            if entry is None:
                cells.append(NOT_SUBMITTED)
            elif entry.report is None:
                cells.append(NOT_GRADED)
            else:
                cells.append(_points(entry.report.score))
                total += entry.report.score
        writer.row([spelling[student], *cells, _points(total)])
    return [spelling[student] for student in others] if roster else []
