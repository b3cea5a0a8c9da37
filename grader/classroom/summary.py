"""What the class got wrong: for each check, the kinds of mistake made and who made each.

A mistake is named from the failure's structured data (``causes.mistake``: "status 404 instead of
200", "raised KeyError", what the check expected), so students who made the same mistake are counted
together whatever their pages said. The lesson's own checks come first; earlier lessons' checks that
broke are kept apart, since they say what to teach again from before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..causes import mistake
from ..course import Lesson
from .gradebook import Entry


@dataclass(frozen=True)
class Mistake:
    """One kind of mistake, and the students who made it (sorted)."""

    what: str
    students: tuple[str, ...]


@dataclass(frozen=True)
class CheckSummary:
    """How the class did on one check, among the apps that loaded."""

    id: str
    title: str
    regression: bool
    graded: int
    mistakes: tuple[Mistake, ...]  # the most common first

    @property
    def failed(self) -> int:
        return sum(len(each.students) for each in self.mistakes)


@dataclass(frozen=True)
class ClassSummary:
    """What to teach again: the lesson's checks, the earlier lessons' checks that broke, and who could not be
    graded or whose app did not load."""

    checks: list[CheckSummary]  # the lesson's own checks, the most failed first
    regressions: list[CheckSummary]  # earlier lessons' checks that at least one app broke, the most failed first
    loaded: int
    not_loaded: tuple[Mistake, ...]  # why apps did not load, and whose
    not_graded: tuple[Mistake, ...]  # why the grader could not grade a submission, and whose


def _mistakes(who: dict[str, list[str]]) -> tuple[Mistake, ...]:
    found = [Mistake(what, tuple(sorted(students, key=str.casefold))) for what, students in who.items()]
    return tuple(sorted(found, key=lambda each: (-len(each.students), each.what)))


def class_summary(entries: Iterable[Entry]) -> ClassSummary:
    """The class's latest grades, check by check, grouped by kind of mistake."""
    titles: dict[str, tuple[str, bool]] = {}
    graded: dict[str, int] = {}
    failures: dict[str, dict[str, list[str]]] = {}
    not_loaded: dict[str, list[str]] = {}
    not_graded: dict[str, list[str]] = {}
    loaded = 0
    for entry in entries:
        if entry.report is None:
            not_graded.setdefault(entry.error or "not graded", []).append(entry.student)
            continue
        if entry.report.load_error:
            not_loaded.setdefault(entry.report.load_error["title"], []).append(entry.student)
            continue
        loaded += 1
        for check in entry.report.checks:
            titles.setdefault(check.id, (check.title, check.regression))
            graded[check.id] = graded.get(check.id, 0) + 1
            kinds = failures.setdefault(check.id, {})
            if check.failure is not None:
                kinds.setdefault(mistake(check.failure), []).append(entry.student)
    summaries = [CheckSummary(check, title, regression, graded[check], _mistakes(failures[check]))
                 for check, (title, regression) in titles.items()]
    summaries.sort(key=lambda summary: -summary.failed)
    return ClassSummary([summary for summary in summaries if not summary.regression],
                        [summary for summary in summaries if summary.regression and summary.failed],
                        loaded, _mistakes(not_loaded), _mistakes(not_graded))


def _cell(text: str) -> str:
    """Text for one line of Markdown, never read as HTML or as a table's column break."""
    return text.replace("\\", "\\\\").replace("<", "\\<").replace("|", "\\|").replace("\n", " ")


def _group(group: Mistake) -> str:
    return f"- {_cell(group.what)} ({len(group.students)}): {_cell(', '.join(group.students))}"


def _check_sections(checks: list[CheckSummary]) -> list[str]:
    lines = []
    for check in checks:
        if not check.failed:
            continue
        lines += [f"### {_cell(check.title)}", "", f"`{check.id}`: {check.failed} of {check.graded} failed", ""]
        lines += [_group(each) for each in check.mistakes]
        lines.append("")
    return lines


def summary_markdown(lesson: Lesson, summary: ClassSummary) -> str:
    """The class summary as Markdown: what to teach again, and to whom."""
    intro = f"{summary.loaded} submissions loaded. For each check they failed: each kind of mistake, how many made it and who."
    lines = [f"# Lesson {lesson.number} · {lesson.title}: class summary", "", intro, "",
             f"## Lesson {lesson.number}'s checks", ""]
    failing = [check for check in summary.checks if check.failed]
    lines += _check_sections(failing) or ["Every app that loaded passes every check.", ""]
    passing = len(summary.checks) - len(failing)
    if failing and passing:
        lines += [f"The other {passing} checks pass for every app that loaded.", ""]
    lines += ["## Earlier lessons' checks that broke", ""]
    lines += _check_sections(summary.regressions) or ["None: every app that loaded still passes them.", ""]
    for heading, groups in (("did not load", summary.not_loaded), ("could not be graded", summary.not_graded)):
        if groups:
            count = sum(len(group.students) for group in groups)
            lines += [f"## {count} submissions {heading}", ""]
            lines += [_group(group) for group in groups]
            lines.append("")
    return "\n".join(lines)
