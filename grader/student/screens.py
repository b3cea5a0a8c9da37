"""The student's own screens in a terminal: the lesson list, progress, hints and ``grade doctor``'s findings.

A report's verdicts are drawn by ``reports.terminal``; these use the same marks.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..course import Course, Lesson
from ..reports.terminal import FAIL, PASS
from .progress import LessonStatus, State, next_lesson

if TYPE_CHECKING:
    from .doctor import Finding
    from .hints import HintStep


def render_lessons(console: Console, course: Course) -> None:
    table = Table(title=course.title, title_justify="left", box=None, padding=(0, 2))
    table.add_column("lesson", style="bold")
    table.add_column("title")
    for lesson in course.lessons:
        table.add_row(lesson.id, lesson.title)
    console.print(table)
    console.print("Run `grade lesson1` to check your work on lesson 1.", style="dim")


STATE_MARKS = {State.PASSED: PASS, State.CHANGED: Text("●", style="bold yellow"), State.FAILING: FAIL,
               State.NEW: Text("·", style="dim")}


def _when(stamp: str | None) -> str:
    try:
        return datetime.fromisoformat(stamp or "").astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(stamp)


def _state_text(status: LessonStatus) -> Text:
    record = status.record
    if status.state is State.PASSED:
        return Text(f"passed {_when(record.get('passed_at'))}", style="green")
    if status.state is State.CHANGED:
        return Text(f"changed since passing ({_when(record.get('passed_at'))}): check it again", style="yellow")
    if status.state is State.FAILING:
        return Text(f"not passing yet · {status.score} · checked {_when(record.get('checked_at'))}", style="red")
    return Text("not started", style="dim")


def _bar(done: int, total: int, width: int = 30) -> Text:
    filled = round(width * done / total) if total else 0
    return Text.assemble("Progress [", ("#" * filled, "green"), ("-" * (width - filled), "red"),
                         f"] {done}/{total} lessons pass")


def render_progress(console: Console, course: Course, statuses: list[LessonStatus]) -> None:
    """The progress table, a bar, and the exact next thing to do."""
    console.print(Text(course.title, style="bold"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for status in statuses:
        text = Text(status.lesson.title)
        if status.state is not State.NEW:
            text.append("\n").append_text(_state_text(status))
        grid.add_row(STATE_MARKS[status.state], status.lesson.id, text)
    console.print(grid)
    done = sum(status.state in (State.PASSED, State.CHANGED) for status in statuses)
    console.print(_bar(done, len(statuses)))
    upcoming = next_lesson(statuses)
    if upcoming is None:
        console.print(Text("Every lesson passes: you have built Shelf. Well done!", style="bold green"))
        return
    console.print(Text.assemble(
        ("Next: ", "bold"), (f"lesson {upcoming.number} · {upcoming.title}", "bold"),
        f". Read it (`grade read {upcoming.id}`, or `grade serve` for the web site), edit exercises/{upcoming.id}/, "
        f"then run `grade {upcoming.id}` (add --watch to check on every save)."))


def render_hint(console: Console, lesson: Lesson, step: HintStep) -> None:
    """The hints seen so far of the check to fix first, the newest one highlighted."""
    console.print(Text.assemble(("Check to fix first: ", "bold"), step.check.title))
    if not step.check.hints:
        console.print(f"This check has no hints: its failure message says what it expects (`grade {lesson.id}`).")
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", justify="right")
    grid.add_column(overflow="fold")
    for number, hint in enumerate(step.hints, start=1):
        newest = number == step.shown
        grid.add_row(f"hint {number}/{len(step.check.hints)}", Text(hint, style="bold cyan" if newest else "cyan"))
    console.print(Padding(grid, (0, 0, 0, 2)))
    if step.more:
        console.print(f"Still stuck? `grade hint {lesson.id}` again gives a more specific hint.", style="dim")
    else:
        console.print(f"That is the last hint for this check. The reference solution: `grade solution {lesson.id}` "
                      "(it asks first if the lesson has not passed yet).", style="dim")


FINDING_MARKS = {"ok": PASS, "warning": Text("!", style="bold yellow"), "problem": FAIL}


def render_findings(console: Console, findings: list[Finding]) -> None:
    """``grade doctor``'s findings, each problem with its fix."""
    for finding in findings:
        console.print(Text.assemble(FINDING_MARKS[finding.level.value], " ", finding.what))
        if finding.fix:
            console.print(Padding(Text.assemble(("fix: ", "dim"), (finding.fix, "cyan")), (0, 0, 0, 2)))
