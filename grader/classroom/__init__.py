"""The classroom: an instructor grading a whole class, and what comes out of it.

Batch grading with a worker process per core (``batch``, ``worker``) and its progress display
(``terminal``), the SQLite gradebook (``gradebook``), grade sheets (``sheets``), each student's
feedback (``feedback``), what the class got wrong (``summary``), and the packages that grade on
Gradescope (``gradescope``) and GitHub Classroom (``github``), with the exact versions they install
(``pins``). It may import the engine, the sandbox and ``reports``; nothing imports it but the CLI.
"""
