"""How a batch looks in a terminal: a progress bar while it grades, then what happened, what the class
got wrong and who."""

from __future__ import annotations

from typing import Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ..course import Lesson
from ..reports.escape import visible
from .batch import Outcome, Summary
from .summary import CheckSummary, ClassSummary


class BatchProgress:
    """A progress bar (in a terminal), from the moment the batch knows how many submissions it grades."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("eta"), TimeRemainingColumn(), console=console, transient=True,
                            disable=not console.is_terminal)
        self.task = self.bar.add_task("grading", total=None)

    def started(self, total: int, todo: int) -> None:
        if total > todo:
            self.bar.console.print(f"{total - todo} of {total} submissions unchanged since they were graded: skipped.")
        self.bar.update(self.task, total=todo)

    def advance(self, outcome: Outcome) -> None:
        self.bar.update(self.task, advance=1, description=visible(f"grading · {outcome.submission.student}"))

    def __enter__(self) -> Self:
        self.bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.stop()


def _who(students: tuple[str, ...], shown: int = 6) -> str:
    more = f" and {len(students) - shown} more" if len(students) > shown else ""
    return ", ".join(students[:shown]) + more


def _mistakes_table(title: str, checks: list[CheckSummary]) -> Table:
    """A row per check: how many failed it, and each kind of mistake with who made it (the 3 most common)."""
    table = Table(title=title, title_justify="left", box=None, padding=(0, 1))
    table.add_column("failed", justify="right")
    table.add_column("check", overflow="fold")
    table.add_column("mistake: who", overflow="fold", style="yellow")
    for check in checks:
        lines = [f"{each.what} ({len(each.students)}): {_who(each.students)}" for each in check.mistakes[:3]]
        if len(check.mistakes) > 3:
            lines.append(f"and {len(check.mistakes) - 3} other kinds of mistake (see --summary)")
        table.add_row(f"{check.failed} of {check.graded}", check.title, "\n".join(lines))
    return table


def render_summary(console: Console, lesson: Lesson, summary: Summary, checks: ClassSummary, shown: int = 10) -> None:
    """What the batch did, then the ``shown`` checks the class failed most, each kind of mistake with who made
    it, and apart from them the earlier lessons' checks that broke."""
    graded, errors = summary.count("graded"), summary.count("error")
    rate = f" ({graded / summary.seconds:.1f} submissions/s)" if graded and summary.seconds else ""
    console.print(Text(f"Lesson {lesson.number} · {lesson.title}", style="bold"))
    console.print(f"{graded} graded, {summary.count('unchanged')} unchanged, {errors} not graded, "
                  f"in {summary.seconds:.1f} s{rate}")
    for outcome in summary.outcomes:
        if outcome.status == "error":
            console.print(Text(visible(f"  ✗ {outcome.submission.path.name}: {outcome.error}"), style="red"))
        if outcome.note:
            console.print(Text(visible(f"  ↻ {outcome.submission.path.name}: {outcome.note}"), style="yellow"))
    if summary.ignored:
        names = ", ".join(path.name for path in summary.ignored)
        console.print(Text(visible(f"Not submissions (a folder, archive or notebook per student), left alone: {names}"),
                           style="dim"))
    failing = [check for check in checks.checks if check.failed][:shown]
    if failing:
        console.print(_mistakes_table(f"What the class got wrong (of {checks.loaded} apps that loaded)", failing))
    elif checks.loaded:
        console.print(f"Every app that loaded passes every check of lesson {lesson.number} ({checks.loaded}).",
                      style="green")
    if checks.regressions:
        console.print(_mistakes_table("Earlier lessons' checks that broke", checks.regressions[:shown]))
    for reason in checks.not_loaded:
        console.print(Text(visible(f"Did not load ({len(reason.students)}): {reason.what}: {_who(reason.students)}"),
                           style="red"))
    if summary.interrupted:
        console.print("Interrupted: what was graded is in the gradebook; run the same command again to go on.",
                      style="bold")
