"""The gradebook: every batch grading, kept in one SQLite file.

One row per student, lesson and run in ``grades``, with the submission's content hash and the
fingerprint of the checks it was graded with, and one row per check in ``checks``. Each graded
submission is committed on its own (write-ahead log), so a batch that is interrupted keeps what it
graded. Reports are rebuilt from these rows, so exports never depend on anything but this file.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from ..report import CheckResult, Report

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    lesson TEXT NOT NULL,
    folder TEXT NOT NULL,
    checks_hash TEXT NOT NULL,
    limits TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT
);
CREATE TABLE grades (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs (id),
    student TEXT NOT NULL,
    lesson TEXT NOT NULL,
    submission TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    checks_hash TEXT NOT NULL,
    graded TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('graded', 'error')),
    error TEXT,
    title TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    passed INTEGER NOT NULL,
    load_error TEXT,
    hidden_not_run INTEGER NOT NULL,
    seconds REAL NOT NULL
);
CREATE INDEX grades_by_student ON grades (lesson, student, id);
CREATE TABLE checks (
    grade INTEGER NOT NULL REFERENCES grades (id),
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    lesson TEXT NOT NULL,
    title TEXT NOT NULL,
    points REAL NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    passed INTEGER NOT NULL,
    hints TEXT NOT NULL,
    hidden INTEGER NOT NULL,
    regression INTEGER NOT NULL,
    failure TEXT,
    output TEXT NOT NULL,
    seconds REAL NOT NULL,
    PRIMARY KEY (grade, position)
);
CREATE VIEW latest AS
    SELECT * FROM grades WHERE id IN (SELECT MAX(id) FROM grades GROUP BY lesson, student);
"""


class GradebookError(Exception):
    """The gradebook file cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class Entry:
    """One student's latest grading for one lesson: a report, or the error that left it ungraded."""

    student: str
    lesson: str
    submission: str
    content_hash: str
    checks_hash: str
    graded: str
    report: Report | None
    error: str | None = None


def report_to_dict(report: Report) -> dict[str, Any]:
    """A report as plain data (how a batch worker sends it)."""
    return dataclasses.asdict(report)


def report_from_dict(data: dict[str, Any]) -> Report:
    checks = [CheckResult(**{**check, "hints": tuple(check["hints"])}) for check in data["checks"]]
    return Report(**{**data, "checks": checks})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Gradebook:
    """An open gradebook file; created, with its schema, if it does not exist."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._check_schema()
        except sqlite3.DatabaseError as error:
            raise GradebookError(f"{path} cannot be used as a gradebook ({error})") from None

    def _check_schema(self) -> None:
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            self.db.executescript(f"BEGIN; {SCHEMA} INSERT INTO schema_version VALUES ({SCHEMA_VERSION}); COMMIT;")
            return
        row = self.db.execute("SELECT version FROM schema_version").fetchone() \
            if "schema_version" in tables else None
        if row is None or row[0] != SCHEMA_VERSION:
            found = "no version" if row is None else f"version {row[0]}"
            raise GradebookError(f"{self.path} has {found}; this grader reads gradebook version {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # writing -------------------------------------------------------------------------------
    def start_run(self, lesson: str, folder: Path, checks_hash: str, limits: dict[str, Any]) -> int:
        cursor = self.db.execute("INSERT INTO runs (lesson, folder, checks_hash, limits, started) VALUES (?, ?, ?, ?, ?)",
                                 (lesson, str(folder), checks_hash, json.dumps(limits), _now()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(self, run: int) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (_now(), run))

    def record(self, run: int, student: str, submission: str, content_hash: str, checks_hash: str,
               report: Report | None, error: str | None = None) -> None:
        """Keep one grading (a report, or the error that stopped it), in a transaction of its own."""
        lesson = self.db.execute("SELECT lesson FROM runs WHERE id = ?", (run,)).fetchone()[0]
        outcome = ("", 0.0, 0.0, 0, None, 0, 0.0) if report is None else (
            report.title, report.score, report.max_score, int(report.passed), _json(report.load_error),
            report.hidden_not_run, report.seconds)
        self.db.execute("BEGIN")
        try:
            cursor = self.db.execute(
                "INSERT INTO grades (run, student, lesson, submission, content_hash, checks_hash, graded, status, "
                "error, title, score, max_score, passed, load_error, hidden_not_run, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run, student, lesson, submission, content_hash, checks_hash, _now(),
                 "error" if report is None else "graded", error, *outcome))
            for position, check in enumerate(report.checks if report is not None else []):
                self.db.execute(
                    "INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cursor.lastrowid, position, check.id, check.lesson, check.title, check.points, check.score,
                     check.max_score, int(check.passed), json.dumps(check.hints), int(check.hidden),
                     int(check.regression), _json(check.failure), check.output, check.seconds))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # reading -------------------------------------------------------------------------------
    def is_current(self, student: str, lesson: str, content_hash: str, checks_hash: str) -> bool:
        """Was this very submission graded, with these very checks? Then grading it again changes nothing."""
        row = self.db.execute("SELECT status, content_hash, checks_hash FROM latest WHERE lesson = ? AND student = ?",
                              (lesson, student)).fetchone()
        return row is not None and tuple(row) == ("graded", content_hash, checks_hash)

    def latest(self, lesson: str, students: Iterable[str] | None = None) -> list[Entry]:
        """Each student's latest grading for ``lesson`` (only ``students``, if given), by student."""
        rows = self.db.execute("SELECT * FROM latest WHERE lesson = ? ORDER BY student", (lesson,)).fetchall()
        wanted = None if students is None else set(students)
        return [self._entry(row) for row in rows if wanted is None or row["student"] in wanted]

    def _entry(self, row: sqlite3.Row) -> Entry:
        report = None
        if row["status"] == "graded":
            checks = [self._check(check) for check in
                      self.db.execute("SELECT * FROM checks WHERE grade = ? ORDER BY position", (row["id"],))]
            report = Report(lesson=row["lesson"], title=row["title"], checks=checks,
                            load_error=_loads(row["load_error"]), hidden_not_run=row["hidden_not_run"],
                            seconds=row["seconds"])
        return Entry(student=row["student"], lesson=row["lesson"], submission=row["submission"],
                     content_hash=row["content_hash"], checks_hash=row["checks_hash"], graded=row["graded"],
                     report=report, error=row["error"])

    @staticmethod
    def _check(row: sqlite3.Row) -> CheckResult:
        return CheckResult(id=row["id"], lesson=row["lesson"], title=row["title"], points=row["points"],
                           hints=tuple(json.loads(row["hints"])), hidden=bool(row["hidden"]),
                           regression=bool(row["regression"]), failure=_loads(row["failure"]),
                           output=row["output"], seconds=row["seconds"])

    def entries(self) -> Iterator[Entry]:
        """Every student's latest grading, for every lesson."""
        for row in self.db.execute("SELECT * FROM latest ORDER BY student, lesson").fetchall():
            yield self._entry(row)
