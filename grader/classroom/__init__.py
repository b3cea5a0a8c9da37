"""The classroom: an instructor grading a whole class, and what comes out of it.

Batch grading with a worker process per core (``batch``, ``worker``) and its progress display
(``terminal``), the SQLite gradebook (``gradebook``), CSVs, feedback and the class summary
(``exports``), and packages for Gradescope and GitHub Classroom (``platforms``). It may import the
engine, the sandbox and ``reports``; nothing imports it but the CLI.
"""
