"""Werkzeug compiles two URL-building functions for every rule an app adds, from an AST, with
``compile``: most of what building a factory app costs (a Shelf of lesson 11 has 24 rules: 5 of its
7 ms). Checks build an app per setting and per re-run, and lesson 12 runs the student's suite, which
builds one per test, a dozen times. The compiled code depends only on the rule's text, its parts and
the names of its defaults, so the sandbox compiles it once per such rule and makes each rule's
function from that code, as Werkzeug itself does from the code it has just compiled. The code is also
kept in a folder of the sandbox's, for the workers forked after this one (as their templates are).
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any

from werkzeug.routing.rules import Rule

MAX_KEPT = 5000  # rules whose code is kept: an app that adds more compiles the rest itself

_compile_builder = Rule._compile_builder
Compiled = tuple[CodeType, tuple[Any, ...] | None]  # a builder's code and its arguments' defaults
_compiled: dict[tuple[Any, ...], Compiled] = {}
_folder: str | None = None


def _file(key: tuple[Any, ...]) -> str:
    assert _folder is not None
    return os.path.join(_folder, hashlib.sha256(repr(key).encode()).hexdigest())


def _read(key: tuple[Any, ...]) -> Compiled | None:
    """The code an earlier worker of this sandbox compiled for ``key``, if it left it in the folder."""
    if _folder is None:
        return None
    try:
        with open(_file(key), "rb") as file:
            code, default_values = marshal.load(file)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, CodeType) or not (default_values is None or isinstance(default_values, tuple)):
        return None
    return code, default_values


def _write(key: tuple[Any, ...], compiled: Compiled) -> None:
    if _folder is None:
        return
    try:  # written whole, then renamed: a worker reading it at the same time finds all of it or nothing
        fd, partial = tempfile.mkstemp(dir=_folder)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as file:
            marshal.dump(compiled, file)
        os.replace(partial, _file(key))
    except OSError:  # a full folder: the next workers compile it themselves
        with contextlib.suppress(OSError):
            os.unlink(partial)


def _builder(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """``Rule._compile_builder``, compiling once per rule text, parts, default names and ``append_unknown``."""
    defaults = rule.defaults or {}
    if any(is_dynamic and part in defaults for is_dynamic, part in rule._trace):
        return _compile_builder(rule, append_unknown)  # a default converted into the code: the rule's own
    key = (rule.rule, tuple(rule._trace), tuple(map(str, defaults)), append_unknown)
    compiled = _compiled.get(key) or _read(key)
    if compiled is None:
        function = _compile_builder(rule, append_unknown)
        compiled = function.__code__, function.__defaults__
        _write(key, compiled)
    else:
        code, default_values = compiled
        function = FunctionType(code, {"__builtins__": builtins.__dict__}, code.co_name, default_values)
    if len(_compiled) < MAX_KEPT:
        _compiled[key] = compiled
    return function


def compile_once(folder: str | None = None) -> None:
    """From now on, in this process, every rule's URL builders are compiled once (see the module), and
    kept in ``folder`` (if given) for the processes forked or started after this one."""
    global _folder
    if folder is not None:
        with contextlib.suppress(OSError):  # without it, each process compiles for itself
            os.makedirs(folder, exist_ok=True)
    _folder = folder
    Rule._compile_builder = _builder  # type: ignore[method-assign]
