"""The student's workspace: the exercise folders they edit, and the safe ways to start over or peek.

``exercises/<lesson>`` is the student's own copy, so the pristine starter comes from the course's
git history (the last commit). Nothing is deleted without a backup: ``reset`` first copies the
student's files to ``.grade/backups/<lesson>-<time>/``.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from ..course import Lesson
from ..sandbox import IGNORED
from ..submission import digest

STATE_DIR = ".grade"  # the grader's own files in the workspace: progress, backups
EDITOR_SCRATCH = shutil.ignore_patterns("*.swp", "*.swx", "*~", ".#*", "4913", "*.tmp")


class ResetError(Exception):
    """The starter cannot be restored; the message says why and what to do instead."""


def is_graded(relative: Path) -> bool:
    """Whether grading reads this file (the same rule the sandbox copies by), given its path in the folder."""
    return not any(IGNORED("", [part]) for part in relative.parts)


def is_scratch(relative: Path) -> bool:
    """An editor's temporary file (vim's .swp, emacs's .#name): saving one is not a change to the code."""
    return bool(EDITOR_SCRATCH("", [relative.name]))


def exercise_files(folder: Path) -> list[Path]:
    """The files grading reads from ``folder``, sorted; symbolic links to folders are not followed."""
    found = []
    for directory, folders, files in os.walk(folder):
        here = Path(directory)
        folders[:] = sorted(name for name in folders if is_graded(Path(name)))
        found += [here / name for name in files if is_graded(Path(name))]
    return sorted(found)


def backup(root: Path, lesson: Lesson) -> Path:
    """Copy the student's exercise folder to a new ``.grade/backups/<lesson>-<time>/`` and return it."""
    backups = root / STATE_DIR / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    name = f"{lesson.id}-{time.strftime('%Y%m%d-%H%M%S')}"
    target, count = backups / name, 1
    while target.exists():
        count += 1
        target = backups / f"{name}-{count}"
    shutil.copytree(lesson.exercise, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _starter(root: Path, lesson: Lesson, into: Path) -> Path:
    """Unpack the starter of ``lesson`` as the course's last commit has it, into ``into``."""
    relative = lesson.exercise.relative_to(root).as_posix()
    try:
        archive = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", "HEAD", relative],
                                 capture_output=True, check=True, timeout=60)
    except FileNotFoundError:
        raise ResetError("grade reset needs git to find the starter, and git is not installed") from None
    except subprocess.CalledProcessError as error:
        reason = error.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["git failed"]
        raise ResetError(f"cannot find the starter of {lesson.id} in the course's git history ({reason[0]}); "
                         f"copy {relative}/ from a fresh copy of the course instead") from None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as bundle:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        bundle.extractall(into, **safe)
    return into / relative


def reset(root: Path, lesson: Lesson) -> Path | None:
    """Restore the starter of ``lesson``; return the backup of the student's files (None if nothing changed)."""
    with tempfile.TemporaryDirectory(prefix="grade-starter-") as temporary:
        starter = _starter(root, lesson, Path(temporary))
        if lesson.exercise.is_dir() and digest(lesson.exercise) == digest(starter):
            return None
        saved = backup(root, lesson) if lesson.exercise.exists() else None
        shutil.rmtree(lesson.exercise, ignore_errors=True)
        shutil.copytree(starter, lesson.exercise)
    return saved


def _lines(path: Path) -> list[str] | None:
    """A text file's lines, [] for a missing file, None for a binary one."""
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        return []
    except (UnicodeDecodeError, OSError):
        return None


def solution_diff(lesson: Lesson) -> str:
    """What turns the student's files into the reference solution, as one unified diff (files of theirs
    that the solution does not have are left out: they are the student's business)."""
    parts = []
    for reference in exercise_files(lesson.solution):
        relative = reference.relative_to(lesson.solution).as_posix()
        yours = lesson.exercise / relative
        if yours.is_file() and yours.read_bytes() == reference.read_bytes():
            continue
        mine, theirs = _lines(yours), _lines(reference)
        names = (f"exercises/{lesson.id}/{relative}", f"solutions/{lesson.id}/{relative}")
        if mine is None or theirs is None:
            parts.append(f"Binary files {names[0]} and {names[1]} differ\n")
            continue
        parts.extend(difflib.unified_diff(mine, theirs, *names))
    return "".join(line if line.endswith("\n") else line + "\n" for line in parts)
