"""The course as data: ``lessons/course.toml`` lists the lessons in order, and each lesson's
folder holds its text, checks and probes. Nothing here knows any particular lesson.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COURSE_ROOT = Path(__file__).resolve().parent.parent


class UnknownLesson(LookupError):
    """The name given does not match any lesson."""


@dataclass(frozen=True)
class Lesson:
    """One lesson: its metadata from course.toml, and where its files live."""

    root: Path
    id: str
    number: int
    title: str
    app: str
    retires: tuple[str, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def package(self) -> str:
        """The student's top-level package or module, e.g. "shelf" for "shelf.app:app"."""
        return self.app.split(":")[0].split(".")[0]

    @property
    def folder(self) -> Path:
        return self.root / "lessons" / self.id

    @property
    def text(self) -> Path:
        return self.folder / "lesson.md"

    @property
    def checks(self) -> Path:
        return self.folder / "checks.py"

    @property
    def probes(self) -> Path | None:
        path = self.folder / "probes.py"
        return path if path.exists() else None

    @property
    def exercise(self) -> Path:
        return self.root / "exercises" / self.id

    @property
    def solution(self) -> Path:
        return self.root / "solutions" / self.id


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    lessons: tuple[Lesson, ...]

    @classmethod
    def load(cls, root: Path = COURSE_ROOT) -> Course:
        data = tomllib.loads((root / "lessons" / "course.toml").read_text(encoding="utf-8"))
        lessons = []
        config: dict[str, Any] = {}
        for number, entry in enumerate(data["lessons"], start=1):
            config = {**config, **entry.get("config", {})}  # an app's test config carries over to later lessons
            lessons.append(Lesson(root=root, number=number, id=entry["id"], title=entry["title"], app=entry["app"],
                                  retires=tuple(entry.get("retires", ())), config=config))
        return cls(root=root, title=data["title"], lessons=tuple(lessons))

    def find(self, name: str) -> Lesson:
        """Accept ``lesson3``, ``lesson03``, ``3`` (and any case)."""
        match = re.fullmatch(r"(?:lesson)?0*(\d+)", name.strip().lower())
        if match:
            for lesson in self.lessons:
                if lesson.number == int(match.group(1)):
                    return lesson
        known = ", ".join(lesson.id for lesson in self.lessons)
        raise UnknownLesson(f"unknown lesson {name!r} (known: {known})")

    def up_to(self, lesson: Lesson) -> tuple[Lesson, ...]:
        """This lesson and every earlier one, in order: the checks a lesson runs."""
        return self.lessons[: lesson.number]

    def retired_by(self, lesson: Lesson) -> set[str]:
        """Earlier checks that no longer apply by this lesson (``lessonN::test_name``)."""
        return {check for earlier in self.up_to(lesson) for check in earlier.retires}
