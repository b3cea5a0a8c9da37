"""How a batch looks in a terminal: a progress bar while it grades, then what happened and what the
class got wrong."""

from __future__ import annotations

from typing import Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ..course import Lesson
from ..reports.escape import visible
from .batch import Outcome, Summary
from .exports import ClassSummary


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


def render_summary(console: Console, lesson: Lesson, summary: Summary, checks: ClassSummary, shown: int = 10) -> None:
    """What the batch did, then the ``shown`` checks the class failed most, with the most common wrong response."""
    graded, errors = summary.count("graded"), summary.count("error")
    rate = f" ({graded / summary.seconds:.1f} submissions/s)" if graded and summary.seconds else ""
    console.print(Text(f"Lesson {lesson.number} · {lesson.title}", style="bold"))
    console.print(f"{graded} graded, {summary.count('unchanged')} unchanged, {errors} not graded, "
                  f"in {summary.seconds:.1f} s{rate}")
    for outcome in summary.outcomes:
        if outcome.status == "error":
            console.print(Text(visible(f"  ✗ {outcome.submission.path.name}: {outcome.error}"), style="red"))
    if summary.ignored:
        names = ", ".join(path.name for path in summary.ignored)
        console.print(Text(visible(f"Not submissions (a folder, archive or notebook per student), left alone: {names}"),
                           style="dim"))
    failing = [check for check in checks.checks if check.failed][:shown]
    if failing:
        table = Table(title=f"What the class got wrong (of {checks.loaded} apps that loaded)", title_justify="left",
                      box=None, padding=(0, 1))
        table.add_column("failed", justify="right")
        table.add_column("check", overflow="fold")
        table.add_column("most common wrong response", overflow="fold", style="yellow")
        for check in failing:
            table.add_row(str(check.failed), check.title, Text(visible(f"{check.common} ({check.common_count}×)")))
        console.print(table)
    elif checks.loaded:
        console.print(f"Every app that loaded passes every check ({checks.loaded}).", style="green")
    for reason, count in checks.not_loaded:
        console.print(Text(visible(f"Did not load ({count}×): {reason}"), style="red"))
    if summary.interrupted:
        console.print("Interrupted: what was graded is in the gradebook; run the same command again to go on.",
                      style="bold")
