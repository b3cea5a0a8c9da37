"""The exact versions of everything the grader runs with, for the packages that run it elsewhere.

An autograder built today must grade the same way next term: the course's requirements (from its
``pyproject.toml``) and everything they require in turn are pinned to the versions installed where
the package is exported (read with ``importlib.metadata``), which is where the course was tested.
"""

from __future__ import annotations

import importlib.metadata
import tomllib

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..course import Course


class ExportError(Exception):
    """An export cannot be written; the message says why in one line."""


def _applies(marker: Marker | None, extras: set[str]) -> bool:
    """Does a requirement with this marker apply here (for a requirement asked with these extras)?"""
    return marker is None or any(marker.evaluate({"extra": extra}) for extra in {"", *extras})


def requirements(course: Course) -> list[Requirement]:
    """The course's runtime requirements, as its pyproject.toml declares them."""
    project = course.root / "pyproject.toml"
    try:
        declared = tomllib.loads(project.read_text(encoding="utf-8"))["project"]["dependencies"]
        return [Requirement(text) for text in declared]
    except (OSError, tomllib.TOMLDecodeError, KeyError, InvalidRequirement) as error:
        raise ExportError(f"the requirements cannot be read from {project} ({error})") from None


def pinned(course: Course) -> list[str]:
    """``name==version`` for every package the course needs, directly or not, as installed here; sorted."""
    versions: dict[str, str] = {}
    todo = [(requirement, True) for requirement in requirements(course) if _applies(requirement.marker, set())]
    while todo:
        requirement, declared = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in versions:
            continue
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            raise ExportError(f"{requirement.name} is not installed here, so its version cannot be pinned: "
                              "export from the course's environment (pip install -e .)") from None
        if declared and not requirement.specifier.contains(distribution.version, prereleases=True):
            raise ExportError(f"{requirement.name} {distribution.version} is installed here, but the course needs "
                              f"{requirement}: update the environment before exporting")
        versions[name] = distribution.version
        for text in distribution.requires or []:
            needed = Requirement(text)
            if _applies(needed.marker, set(requirement.extras)):
                todo.append((needed, False))
    return [f"{name}=={version}" for name, version in sorted(versions.items())]
