"""Werkzeug compiles two URL-building functions for every rule an app adds, from an AST, with
``compile``: most of what building a factory app costs (a Shelf of lesson 11 has 24 rules: 5 of its
7 ms). Checks build an app per setting and per re-run, and lesson 12 runs the student's suite, which
builds one per test, a dozen times. The compiled code depends only on the rule's text, its parts and
the names of its defaults, so the sandbox compiles it once per such rule and makes each rule's
function from that code, as Werkzeug itself does from the code it has just compiled.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any

from werkzeug.routing.rules import Rule

MAX_KEPT = 5000  # rules whose code is kept: an app that adds more compiles the rest itself

_compile_builder = Rule._compile_builder
_compiled: dict[tuple[Any, ...], tuple[CodeType, tuple[Any, ...] | None]] = {}


def _builder(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """``Rule._compile_builder``, compiling once per rule text, parts, default names and ``append_unknown``."""
    defaults = rule.defaults or {}
    if any(is_dynamic and part in defaults for is_dynamic, part in rule._trace):
        return _compile_builder(rule, append_unknown)  # a default converted into the code: the rule's own
    key = (rule.rule, tuple(rule._trace), tuple(map(str, defaults)), append_unknown)
    if key in _compiled:
        code, default_values = _compiled[key]
        return FunctionType(code, {"__builtins__": builtins.__dict__}, code.co_name, default_values)
    function = _compile_builder(rule, append_unknown)
    if len(_compiled) < MAX_KEPT:
        _compiled[key] = (function.__code__, function.__defaults__)
    return function


def compile_once() -> None:
    """From now on, in this process, every rule's URL builders are compiled once (see the module)."""
    Rule._compile_builder = _builder  # type: ignore[method-assign]
