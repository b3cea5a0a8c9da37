"""The grader's architecture holds: imports point one way, from the front ends down to the sandbox, and
no two modules import each other (directly or round a circle).

Rooms, from the top: the CLI; the student's tools, the classroom and the notebooks (peers, which never
import each other); reports; the engine (the package's top-level modules); the sandbox.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import grader

PACKAGE = Path(grader.__file__).parent
LAYERS = {"sandbox": 0, "engine": 1, "reports": 2, "student": 3, "classroom": 3, "notebooks": 3, "cli": 4, "main": 5}
MAX_LINES = 400


def _name(path: Path) -> str:
    parts = ["grader", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def room(module: str) -> str:
    """The room a module belongs to: its sub-package, or the engine for the package's top level."""
    parts = module.split(".")
    if parts[1:] == ["__main__"]:
        return "main"
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and module in PACKAGES) else "engine"


PACKAGES = {_name(path) for path in MODULES.values() if path.name == "__init__.py"} - {"grader"}


def imports(module: str) -> set[str]:
    """The grader modules ``module`` imports anywhere in its code (lazily, or for type checking, too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "grader"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == "grader":
                target = node.module or ""
            else:
                continue
            submodules = {f"{target}.{alias.name}" for alias in node.names} & MODULES.keys()
            found |= submodules or {target}
    return {name for name in found if name in MODULES} - {module}


GRAPH = {module: imports(module) for module in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    """A module imports its own room and the rooms below it, never one beside it or above it."""
    mine = room(module)
    wrong = sorted(other for other in GRAPH[module]
                   if room(other) != mine and LAYERS[room(other)] >= LAYERS[mine] and other != "grader")
    assert wrong == [], f"{module} ({mine}) imports {wrong}, which are not below it"


def test_the_sandbox_imports_nothing_else_of_the_grader():
    for module, targets in GRAPH.items():
        if room(module) == "sandbox":
            assert {room(target) for target in targets} <= {"sandbox"}, module


def test_no_import_circles():
    """Depth-first search for a cycle in the module import graph."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            pytest.fail("import circle: " + " -> ".join([*path[path.index(module):], module]))
        if module in done:
            return
        for target in sorted(GRAPH[module]):
            if target != "grader":
                visit(target, [*path, module])
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by concept"


def test_every_sub_package_says_what_it_owns():
    for package in PACKAGES:
        docstring = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8")))
        assert docstring, f"{package}/__init__.py needs a docstring saying what it owns and what it may import"
