"""How a report looks in a terminal: one line per check, then for each failure what was sent,
what came back, what was expected and a hint; last, the score and what to do next."""

from __future__ import annotations

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..course import Course, Lesson
from ..report import CheckResult, Report, explanation
from .escape import visible

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
        grid.add_row(label, Text(visible(text), style=STYLES.get(label, "")))
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
    info = {key: visible(value) if isinstance(value, str) else value for key, value in info.items()}
    lines = [Text.assemble(FAIL, " ", Text("Your app did not load: ", style="bold red"), Text(info["title"], style="bold"))]
    where = info.get("where")
    if where:
        where = {key: visible(value) if isinstance(value, str) else value for key, value in where.items()}
        lines.append(Padding(Text(f"{where['file']}, line {where['line']}:", style="dim"), (0, 0, 0, 4)))
        if where.get("code"):
            code = Text(f"    {where['code']}", style="yellow")
            lines.append(Padding(code, (0, 0, 0, 4)))
            if where.get("offset"):
                lines.append(Padding(Text(" " * (3 + where["offset"]) + "^", style="red"), (0, 0, 0, 4)))
    if info.get("detail"):
        lines.append(Padding(Text(info["detail"]), (0, 0, 0, 4)))
    return Group(*lines)


class LiveReport:
    """The verdicts drawn as they come: the lesson's own checks one by one while the rest still run,
    then the earlier lessons' checks, the score and what to do next (``finish``).

    A check whose app did not load is held back: ``finish`` shows the load error first, then the checks.
    """

    def __init__(self, console: Console, lesson: Lesson) -> None:
        self.console = console
        self.lesson = lesson
        self.shown: list[CheckResult] = []
        self.holding = False
        self.started = False

    def _start(self) -> None:
        if not self.started:
            self.started = True
            self.console.print(Text(f"Lesson {self.lesson.number} · {self.lesson.title}", style="bold"))
            self.console.print()

    def check(self, result: CheckResult) -> None:
        """A check's final verdict; the lesson's own are drawn at once."""
        if result.regression or self.holding:
            return
        if result.failure is not None and "load_error" in result.failure:
            self.holding = True
            return
        try:
            self._start()
            self.console.print(_check_rows([result], details=True))
            self.console.file.flush()
        except (BrokenPipeError, SystemExit):  # the reader went away (`| head`): grading goes on, unseen
            self.holding = True
            return
        self.shown.append(result)

    def finish(self, course: Course, report: Report, whole: bool = True) -> None:
        """The rest of the report; ``whole`` is False when it holds only some of the lesson's checks."""
        console = self.console
        self._start()
        if report.load_error:
            console.print(_load_error(report.load_error))
            console.print()
        own = [check for check in report.checks if not check.regression]
        shown = {check.id for check in self.shown}
        console.print(_check_rows([check for check in own if check.id not in shown],
                                  details=report.load_error is None))
        earlier = [check for check in report.checks if check.regression]
        if earlier and report.load_error is None:
            broken = [check for check in earlier if not check.passed]
            console.print()
            if broken:
                console.print(Text(f"Earlier lessons: {len(broken)} of {len(earlier)} checks no longer pass",
                                   style="bold red"))
                console.print(_check_rows(broken, details=True))
            else:
                console.print(Text.assemble(PASS, f" All {len(earlier)} checks from earlier lessons still pass"))
        console.print()
        counted, but = report.tally()
        console.print(Text.assemble(
            ("Score ", "bold"), (f"{_points(report.score)}/{_points(report.max_score)}", "bold"),
            f" · {counted}", (f", {but}" if but else "", "bold red"), (f"  ({report.seconds:.2f} s)", "dim")))
        if report.hidden_not_run:
            console.print(f"{report.hidden_not_run} hidden check(s) run when your instructor grades.", style="dim")
        if whole:
            console.print(_next_step(course, self.lesson, report))


def render(console: Console, course: Course, lesson: Lesson, report: Report, whole: bool = True) -> None:
    """The verdicts of a finished report; ``whole`` is False when it holds only some of the lesson's checks."""
    live = LiveReport(console, lesson)
    if report.load_error is None:
        for result in report.checks:
            live.check(result)
    live.finish(course, report, whole)


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
