"""Reports: one graded submission shown to a person or a tool.

A ``Report`` (``grader.report``) drawn in a terminal (``terminal``), as HTML for notebooks, the course
site and feedback files (``html``), and as Gradescope's ``results.json`` (``gradescope``). It may import
the engine (``grader.course``, ``grader.report``), never the rooms that use it.
"""
