"""``grade doctor``: is this machine and this workspace ready for the course, and if not, how to fix it.

Every finding says what was found and, when something is wrong, the command or step that fixes it.
The requirements come from the installed package's metadata (``pyproject.toml``), never a second list.
"""

from __future__ import annotations

import platform
import sys
import tomllib
from dataclasses import dataclass
from enum import Enum
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from ..course import Course, Lesson
from ..sandbox import Limits
from ..sandbox.capabilities import FULL_PROTECTION, Unavailable, mechanism, protections
from .progress import problem
from .watch import polling_reason

INSTALL = "pip install -e ."
# Making the course's virtual environment, in each system's words (as the README gives them).
VENV = (r"py -m venv .venv, then .venv\Scripts\activate, then " if sys.platform == "win32"
        else "python3 -m venv .venv && . .venv/bin/activate && ")
GRADER = Path(__file__).resolve().parent.parent  # the grader package


class Level(Enum):
    OK = "ok"
    WARN = "warning"
    FAIL = "problem"


@dataclass(frozen=True)
class Finding:
    level: Level
    what: str
    fix: str = ""


def _distribution() -> metadata.Distribution | None:
    names = metadata.packages_distributions().get(GRADER.name, [])
    return metadata.distribution(names[0]) if names else None


def _python(dist: metadata.Distribution) -> Finding:
    needed = SpecifierSet(dist.metadata.get("Requires-Python") or "")
    version = platform.python_version()
    if needed.contains(version, prereleases=True):
        return Finding(Level.OK, f"Python {version}")
    return Finding(Level.FAIL, f"Python {version}, but the course needs Python {needed}",
                   f"install a newer Python, then make the virtual environment again with it: "
                   f"{VENV}{INSTALL}")


def _requirements(dist: metadata.Distribution) -> list[Finding]:
    findings = []
    for line in dist.requires or []:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an optional extra, such as the project's test tools
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            findings.append(Finding(Level.FAIL, f"{requirement.name} is not installed", INSTALL))
            continue
        if requirement.specifier.contains(version, prereleases=True):
            findings.append(Finding(Level.OK, f"{requirement.name} {version}"))
        else:
            findings.append(Finding(Level.FAIL, f"{requirement.name} {version}, but the course needs "
                                    f"{requirement.specifier}", f"pip install '{requirement}'"))
    return findings


def _environment(root: Path) -> list[Finding]:
    findings = []
    if sys.prefix == sys.base_prefix:
        findings.append(Finding(Level.WARN, "not running in a virtual environment",
                                f"{VENV}{INSTALL}"))
    if GRADER.parent != root.resolve():
        findings.append(Finding(Level.WARN, f"the grade command is installed from {GRADER.parent}, "
                                f"not from this workspace ({root})", f"in {root}: {INSTALL}"))
    return findings


def _lesson_problems(lesson: Lesson) -> list[tuple[str, str]]:
    """What is missing or broken in one lesson's folders, each with its fix."""
    restore = f"restore it from the course (in a git clone: git checkout -- lessons/{lesson.id})"
    problems = []
    for path in (lesson.text, lesson.checks):
        if not path.is_file():
            problems.append((f"lessons/{lesson.id}/{path.name} is missing", restore))
    if lesson.checks.is_file():
        try:
            compile(lesson.checks.read_bytes(), str(lesson.checks), "exec")
        except (SyntaxError, ValueError) as error:
            problems.append((f"lessons/{lesson.id}/checks.py does not compile ({error})", restore))
    package = lesson.exercise / lesson.package
    if not (package.is_dir() or package.with_suffix(".py").is_file()):
        problems.append((f"exercises/{lesson.id}/ has no {lesson.package} package",
                         f"grade reset {lesson.id} brings back the starter (your files are backed up first)"))
    if not lesson.solution.is_dir():
        problems.append((f"solutions/{lesson.id}/ is missing",
                         f"restore it from the course (in a git clone: git checkout -- solutions/{lesson.id})"))
    return problems


def _workspace(root: Path) -> list[Finding]:
    try:
        course = Course.load(root)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        return [Finding(Level.FAIL, f"{root} is not a course workspace: lessons/course.toml cannot be read ({error})",
                        "run grade in the course's folder (the one with lessons/ and exercises/), or give --root")]
    findings = []
    for lesson in course.lessons:
        findings += [Finding(Level.FAIL, what, fix) for what, fix in _lesson_problems(lesson)]
    if not findings:
        findings.append(Finding(Level.OK, f"{len(course.lessons)} lessons, each with its text, checks, "
                                          "exercise and solution"))
    if not (root / ".git").exists():
        findings.append(Finding(Level.WARN, "the workspace is not a git clone: grade reset cannot restore starters",
                                "clone the course with git to be able to start a lesson over"))
    return findings


def _progress(root: Path) -> Finding:
    trouble = problem(root)
    if trouble is None:
        return Finding(Level.OK, "progress file readable (or not written yet)")
    return Finding(Level.WARN, trouble, "the next grade run keeps it aside and starts a new one; "
                                        "or update the grader if a newer one wrote it")


def _watching(root: Path) -> Finding:
    reason = polling_reason(root)
    if reason is None:
        return Finding(Level.OK, "watch mode gets file events")
    return Finding(Level.WARN, f"watch mode will poll for changes: {reason}",
                   "nothing to do; or keep the course on a local drive for instant checks")


def _sandbox() -> list[Finding]:
    """Which mechanism runs submissions here, and each protection it gives or not."""
    try:
        chosen = mechanism()
    except Unavailable as error:
        return [Finding(Level.FAIL, str(error), "unset GRADE_SANDBOX")]
    findings = [Finding(Level.OK, f"sandbox: {chosen.value}")]
    for protection in protections(chosen, Limits()):
        if protection.active:
            findings.append(Finding(Level.OK, f"{protection.name}: {protection.how}"))
        else:
            findings.append(Finding(Level.WARN, f"{protection.name}: not active ({protection.how})",
                                    f"your own checks work the same; {FULL_PROTECTION}"))
    return findings


def examine(root: Path) -> list[Finding]:
    """Everything ``grade doctor`` checks, in the order a student would fix it."""
    dist = _distribution()
    if dist is None:
        installed = [Finding(Level.FAIL, "the course is not installed in this Python", INSTALL)]
    else:
        installed = [_python(dist), *_requirements(dist)]
    return [*installed, *_environment(root), *_workspace(root), _progress(root), _watching(root), *_sandbox()]
