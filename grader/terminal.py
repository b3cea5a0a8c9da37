"""How a report looks in a terminal: one line per check, then for each failure what was sent,
what came back, what was expected and a hint; last, the score and what to do next."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .course import Course, Lesson
from .progress import LessonStatus, State, next_lesson
from .report import CheckResult, Report, explanation

if TYPE_CHECKING:
    from .doctor import Finding
    from .hints import HintStep

PASS = Text("✓", style="bold green")
FAIL = Text("✗", style="bold red")
STYLES = {"expected": "yellow", "hint": "cyan", "printed": "dim"}


def _points(value: float) -> str:
    return f"{value:g}"


def _details(check: CheckResult) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", justify="right")
    grid.add_column(overflow="fold")
    for label, text in explanation(check):
        grid.add_row(label, Text(text, style=STYLES.get(label, "")))
    return grid


def _check_rows(checks: list[CheckResult], details: bool) -> Group:
    parts = []
    for check in checks:
        line = Table.grid(expand=True, padding=(0, 1))
        line.add_column(width=1)
        line.add_column(ratio=1, overflow="fold")
        line.add_column(justify="right")
        points = f"{_points(check.score)}/{_points(check.max_score)}" if not check.regression else ""
        line.add_row(PASS if check.passed else FAIL, check.title, Text(points, style="dim"))
        parts.append(line)
        if details and not check.passed:
            parts.append(Padding(_details(check), (0, 0, 1, 4)))
    return Group(*parts)


def _load_error(info: dict) -> Group:
    lines = [Text.assemble(FAIL, " ", Text("Your app did not load: ", style="bold red"), Text(info["title"], style="bold"))]
    where = info.get("where")
    if where:
        lines.append(Padding(Text(f"{where['file']}, line {where['line']}:", style="dim"), (0, 0, 0, 4)))
        if where.get("code"):
            code = Text(f"    {where['code']}", style="yellow")
            lines.append(Padding(code, (0, 0, 0, 4)))
            if where.get("offset"):
                lines.append(Padding(Text(" " * (3 + where["offset"]) + "^", style="red"), (0, 0, 0, 4)))
    if info.get("detail"):
        lines.append(Padding(Text(info["detail"]), (0, 0, 0, 4)))
    return Group(*lines)


def render(console: Console, course: Course, lesson: Lesson, report: Report, whole: bool = True) -> None:
    """The verdicts; ``whole`` is False when the report holds only some of the lesson's checks."""
    console.print(Text(f"Lesson {lesson.number} · {lesson.title}", style="bold"))
    console.print()
    if report.load_error:
        console.print(_load_error(report.load_error))
        console.print()
    own = [check for check in report.checks if not check.regression]
    earlier = [check for check in report.checks if check.regression]
    console.print(_check_rows(own, details=report.load_error is None))
    if earlier and report.load_error is None:
        broken = [check for check in earlier if not check.passed]
        console.print()
        if broken:
            console.print(Text(f"Earlier lessons: {len(broken)} of {len(earlier)} checks no longer pass", style="bold red"))
            console.print(_check_rows(broken, details=True))
        else:
            console.print(Text.assemble(PASS, f" All {len(earlier)} checks from earlier lessons still pass"))
    console.print()
    passed = sum(check.passed for check in own)
    regressed = sum(not check.passed for check in earlier) if report.load_error is None else 0
    counts: tuple[str | tuple[str, str], ...] = (f" · {passed} of {len(own)} checks pass",)
    if regressed:  # the score counts this lesson's checks only: say why full marks still fail the lesson
        broken = "a check from an earlier lesson no longer passes" if regressed == 1 else \
            f"{regressed} checks from earlier lessons no longer pass"
        counts = (f" · {passed} of {len(own)} of this lesson's checks pass, ",
                  (f"but the lesson fails: {broken}", "bold red"))
    console.print(Text.assemble(
        ("Score ", "bold"), (f"{_points(report.score)}/{_points(report.max_score)}", "bold"),
        *counts, (f"  ({report.seconds:.2f} s)", "dim")))
    if report.hidden_not_run:
        console.print(f"{report.hidden_not_run} hidden check(s) run when your instructor grades.", style="dim")
    if whole:
        console.print(_next_step(course, lesson, report))


def _next_step(course: Course, lesson: Lesson, report: Report) -> Text:
    again = f"`grade {lesson.id}`"
    if report.load_error:
        return Text(f"Next: fix the error above, save, and run {again} again.", style="bold")
    failing = report.first_failure()
    if failing is not None:
        where = "an earlier lesson's check" if failing.regression else "the first failing check"
        text = Text(f"Next: fix {where}, “{failing.title}”, save, and run {again} again.", style="bold")
        if len(failing.hints) > 1:
            text.append(f"\nStuck? `grade hint {lesson.id}` gives a more specific hint.", style="cyan")
        return text
    later = [other for other in course.lessons if other.number == lesson.number + 1]
    if later:
        return Text(f"Lesson {lesson.number} passes! Next: read lessons/{later[0].id}/lesson.md, then work in "
                    f"exercises/{later[0].id}/ and run `grade {later[0].id}`.", style="bold green")
    return Text("Every lesson passes: you have built Shelf. Well done!", style="bold green")


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
    """The hints of the first failing check seen so far, the newest one highlighted."""
    console.print(Text.assemble(("First failing check: ", "bold"), step.check.title))
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
