"""What the student has done, kept in one versioned JSON file in the workspace: ``.grade/progress.json``.

Lessons are keyed by their stable id, so a course update (new lessons, new order) keeps every record,
even of lessons it removed. A write goes to a temporary file that is flushed to disk and then renamed
over the old one, so a crash leaves the old file or the new one, never half of each. A file that
cannot be read is kept aside under another name, never deleted, and a file from a newer grader is
read but not overwritten. Writers take turns through a lock file (``filelock``: the same on every system).

    {"format": 1, "lessons": {"lesson1": {"checked_at": "2025-01-31T09:12:03+00:00", "passed": true,
     "score": 14, "max_score": 14, "attempts": 3, "passed_at": "...", "first_passed_at": "...",
     "digest": "<sha256 of the exercise's files when it passed>", "hints": {"lesson1::test_index": 2}}}}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from ..course import Course, Lesson
from ..report import CheckResult, Report
from ..sandbox import Limits
from ..submission import digest, graded
from .workspace import STATE_DIR

FORMAT = 1
FILE = Path(STATE_DIR) / "progress.json"


class Unreadable(ValueError):
    """The progress file is not one this grader can use."""


class State(Enum):
    NEW = "not started"
    FAILING = "not passing yet"
    PASSED = "passed"
    CHANGED = "changed since passing"


@dataclass(frozen=True)
class LessonStatus:
    """Where the student is with one lesson, from its record and its files now."""

    lesson: Lesson
    state: State
    record: dict[str, Any]

    @property
    def score(self) -> str:
        return f"{self.record.get('score', 0):g}/{self.record.get('max_score', 0):g}"

    def to_json(self) -> dict[str, Any]:
        return {"lesson": self.lesson.id, "number": self.lesson.number, "title": self.lesson.title,
                "state": self.state.name.lower(), "label": self.state.value, "score": self.score,
                "checked_at": self.record.get("checked_at"), "passed_at": self.record.get("passed_at")}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _parse(raw: bytes) -> tuple[int, dict[str, dict[str, Any]]]:
    """The format number and the lesson records, or Unreadable saying what is wrong."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Unreadable(f"not valid JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("format"), int) or data["format"] < 1:
        raise Unreadable("no format number: not a progress file")
    lessons = data.get("lessons")
    if not isinstance(lessons, dict) or not all(isinstance(entry, dict) for entry in lessons.values()):
        raise Unreadable("its lessons are not a table of records")
    return data["format"], lessons


def problem(root: Path) -> str | None:
    """What is wrong with the workspace's progress file, without changing it; None if nothing."""
    try:
        version, _ = _parse((root / FILE).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, Unreadable) as error:
        return f"{FILE} cannot be used ({error})"
    if version > FORMAT:
        return f"{FILE} was written by a newer grader (format {version}; this one knows {FORMAT})"
    return None


class Progress:
    """The records of one workspace. ``warning`` says, in one line, if the file could not be used as it was."""

    def __init__(self, path: Path, lessons: dict[str, dict[str, Any]] | None = None, *,
                 warning: str | None = None, read_only: bool = False) -> None:
        self.path = path
        self.lessons = lessons if lessons is not None else {}
        self.warning = warning
        self.read_only = read_only

    @classmethod
    def load(cls, root: Path) -> Progress:
        path = root / FILE
        try:
            version, lessons = _parse(path.read_bytes())
        except FileNotFoundError:
            return cls(path)
        except OSError as error:
            return cls(path, warning=f"cannot read {FILE} ({error.strerror}): progress is not saved", read_only=True)
        except Unreadable as error:
            aside = path.with_name(f"progress.unreadable-{time.strftime('%Y%m%d-%H%M%S')}.json")
            with contextlib.suppress(FileNotFoundError):  # another grade process kept it aside first
                os.replace(path, aside)
            return cls(path, warning=f"{FILE} could not be read ({error}); kept it as {aside.name} "
                                     "and started a new one")
        if version > FORMAT:
            return cls(path, lessons, read_only=True,
                       warning=f"{FILE} was written by a newer grader (format {version}): progress is shown but "
                               "not saved; update the grader with `pip install -e .`")
        return cls(path, lessons)

    def save(self) -> None:
        """Replace the file at once: readers (and a crash) see the old content or the new, never a mix."""
        if self.read_only:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": FORMAT, "lessons": self.lessons}, indent=2, sort_keys=True) + "\n"
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".progress-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            _replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if os.name == "posix":  # the rename itself reaches the disk (Windows cannot open a folder to sync it)
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def record(self, lesson: Lesson, report: Report, files: str) -> None:
        """Note a grading of the student's exercise; ``files`` is its digest from before grading began."""
        entry = self.lessons.setdefault(lesson.id, {})
        stamp = now()
        entry.update(checked_at=stamp, passed=report.passed, score=report.score, max_score=report.max_score,
                     attempts=int(entry.get("attempts", 0)) + 1)
        if report.passed:
            entry.update(passed_at=stamp, digest=files)
            entry.setdefault("first_passed_at", stamp)

    def hints_shown(self, lesson_id: str, check_id: str) -> int:
        """How many hints of a check the student has seen: at least the first, shown with every failure."""
        return max(1, int(self.lessons.get(lesson_id, {}).get("hints", {}).get(check_id, 1)))

    def set_hints_shown(self, lesson_id: str, check_id: str, count: int) -> None:
        self.lessons.setdefault(lesson_id, {}).setdefault("hints", {})[check_id] = count

    def has_passed(self, lesson: Lesson) -> bool:
        """Whether the lesson has ever passed (it unlocks the reference solution)."""
        return bool(self.lessons.get(lesson.id, {}).get("passed_at"))

    def status(self, lesson: Lesson) -> LessonStatus:
        entry = self.lessons.get(lesson.id, {})
        if not entry.get("checked_at"):
            state = State.NEW
        elif not entry.get("passed"):
            state = State.FAILING
        else:
            state = State.PASSED if entry.get("digest") == digest(lesson.exercise) else State.CHANGED
        return LessonStatus(lesson, state, entry)

    def statuses(self, course: Course) -> list[LessonStatus]:
        return [self.status(lesson) for lesson in course.lessons]


def _replace(source: str, target: Path, tries: int = 50) -> None:
    """``os.replace``, waiting a moment while Windows refuses because a reader has ``target`` open."""
    for _ in range(tries - 1):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            time.sleep(0.02)
    os.replace(source, target)


def next_lesson(statuses: list[LessonStatus]) -> Lesson | None:
    """The first lesson not passed yet (a passed lesson that changed since still counts as done)."""
    return next((status.lesson for status in statuses if status.state in (State.NEW, State.FAILING)), None)


@contextlib.contextmanager
def updating(root: Path) -> Iterator[Progress]:
    """Load the progress file, let the caller change it, save it: one process at a time (a file lock)."""
    from filelock import FileLock  # imported once the grading is done: it is not on the way to the first verdict

    folder = root / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder / "progress.lock"):
        for leftover in folder.glob(".progress-*.tmp"):  # from a writer killed mid-write: we hold the lock
            leftover.unlink(missing_ok=True)
        progress = Progress.load(root)
        yield progress
        progress.save()


def grade_exercise(course: Course, lesson: Lesson, *, include_hidden: bool = False, limits: Limits = Limits(),
                   on_check: Callable[[CheckResult], None] | None = None) -> tuple[Report, str | None]:
    """Grade the student's ``exercises/<lesson>`` and record the result, the one kind of run that counts
    as progress. Returns the report and, if the progress file was not used as it was, why."""
    files = digest(lesson.exercise)
    report = graded(course, lesson, lesson.exercise, include_hidden=include_hidden, limits=limits, on_check=on_check)
    return report, record(course, lesson, report, files)


def record(course: Course, lesson: Lesson, report: Report, files: str) -> str | None:
    """Note a grading of the student's exercise whose files had digest ``files`` when it began; returns, in
    one line, why the progress file was not used as it was (None if it was)."""
    try:
        with updating(course.root) as progress:
            progress.record(lesson, report, files)
    except OSError as error:
        return f"progress not saved ({error.strerror or error})"
    return progress.warning
