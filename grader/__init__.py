"""The Shelf course grader.

Check authors write ``from grader import check, expect`` (and ``fail``, ``expect_equal``, ``quote``). Those
names are imported lazily, so that ``grade`` can start the student's sandbox before it pays for importing
pytest and Werkzeug.

The engine is this package's top level: the course as data (``course``), the pytest session that runs
a lesson's checks (``runner``, ``plugin``, on two cores with ``parallel``), the checks' tools (``expectations``, ``remote``), the
result (``report``), which of its failures share a cause (``causes``), what is handed in (``submission``)
and the authors' rules (``authoring``). Around it, one sub-package per concept, each depending only on
those below it:

- ``cli``: the ``grade`` command, split by audience;
- ``student``, ``classroom``, ``notebooks``: the student's tools, an instructor's class, Jupyter;
- ``reports``: a report in a terminal, as HTML, as Gradescope's results;
- the engine (the modules here);
- ``sandbox``: running untrusted student code, confined; it imports nothing else of the grader.

``tests/test_architecture.py`` fails when an import points the wrong way or forms a circle.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check", "expect", "expect_equal", "fail", "quote"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from .plugin import check

        return check
    if name in ("expect", "expect_equal", "fail", "quote"):
        from . import expectations

        return getattr(expectations, name)
    raise AttributeError(name)
