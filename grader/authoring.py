"""What a course author's lesson must satisfy, as functions the project's tests (and authors) call.

- every mutant (a realistic wrong submission, in ``mutants.toml``) applies cleanly to the solution;
- the exercise of lesson N is the solution of lesson N-1 plus TODOs, and nothing else drifted.
"""

from __future__ import annotations

import difflib
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .course import Course, Lesson
from .sandbox import IGNORED


@dataclass(frozen=True)
class Edit:
    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    """The lesson's solution with one realistic mistake; ``catches`` names the checks that must fail."""

    name: str
    catches: tuple[str, ...]
    edits: tuple[Edit, ...]

    def edited(self, files: Mapping[str, str]) -> dict[str, str]:
        """``files`` ({relative path: text}) with this mutant's edits made; fail loudly if one no longer applies."""
        result = dict(files)
        for edit in self.edits:
            text = result.get(edit.file, "")
            if edit.old and text.count(edit.old) != 1:
                raise ValueError(f"mutant {self.name!r}: {edit.file} must contain its 'old' text exactly once")
            result[edit.file] = text.replace(edit.old, edit.new) if edit.old else edit.new
        return result

    def apply(self, solution: Path, target: Path) -> None:
        """Write the mutated solution to ``target``; fail loudly if an edit no longer applies."""
        shutil.copytree(solution, target, ignore=IGNORED)
        touched = {edit.file: target / edit.file for edit in self.edits}
        before = {name: path.read_text(encoding="utf-8") for name, path in touched.items() if path.exists()}
        for name, text in self.edited(before).items():
            touched[name].parent.mkdir(parents=True, exist_ok=True)
            touched[name].write_text(text, encoding="utf-8")


def load_mutants(path: Path) -> list[Mutant]:
    """The mutants a TOML file lists (``[[mutants]]`` with ``name``, ``catches`` and ``edits``); none if it is missing.

    ``mutants.toml`` holds a lesson's wrong submissions; a lesson may keep other sets in the same format
    (lesson 12's broken versions of Shelf, which a student's own tests must catch).
    """
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Mutant(name=entry["name"], catches=tuple(entry.get("catches", ())),
               edits=tuple(Edit(e["file"], e.get("old", ""), e["new"]) for e in entry["edits"]))
        for entry in data["mutants"]
    ]


def mutants(lesson: Lesson) -> list[Mutant]:
    return load_mutants(lesson.folder / "mutants.toml")


def _files(folder: Path) -> dict[str, Path]:
    return {
        str(path.relative_to(folder)): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def drift(course: Course, lesson: Lesson) -> list[str]:
    """How ``exercises/<lesson>`` departs from "previous solution plus TODOs" (empty when it doesn't).

    Allowed: new files, and lines inserted into existing files, provided each changed file says
    TODO somewhere. Not allowed: a line of the previous solution removed or changed, or a file dropped.
    """
    if lesson.number == 1:
        return []
    previous = course.lessons[lesson.number - 2].solution
    before, after = _files(previous), _files(lesson.exercise)
    problems = [f"{name}: in solutions/{previous.name} but missing from the exercise"
                for name in before if name not in after]
    for name, path in after.items():
        new = path.read_text(encoding="utf-8", errors="replace")
        if name not in before:
            continue
        old = before[name].read_text(encoding="utf-8", errors="replace")
        if old == new:
            continue
        matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag in ("replace", "delete"):
                problems.append(f"{name}: line {i1 + 1} of solutions/{previous.name} was changed or removed")
                break
        if "TODO" not in new:
            problems.append(f"{name}: changed, but has no TODO telling the student what to do")
    return problems
