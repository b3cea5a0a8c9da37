"""The Shelf course grader.

Check authors write ``from grader import check, expect``. Those names are imported lazily, so that
``grade`` can start the student's sandbox before it pays for importing pytest and Werkzeug.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check", "expect", "expect_equal", "fail"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from .plugin import check

        return check
    if name in ("expect", "expect_equal", "fail"):
        from . import expectations

        return getattr(expectations, name)
    raise AttributeError(name)
