"""The notebooks: a lesson as a Jupyter notebook, and grading from inside one.

``build`` makes ``notebooks/<lesson>.ipynb`` from the lesson's text and starter; ``check_cell`` is
what the notebook's check cell calls (``from grader.notebooks import check``). Running a handed-in
notebook to grade it is the sandbox's job (``grader.sandbox.notebook``). It may import the engine,
the sandbox and ``reports``; nothing imports it but the CLI.
"""

from .check_cell import check

__all__ = ["check"]
