"""How much a submission may use: one frozen value every part of grading passes along."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """How much a submission may use (every limit has a verdict that names it), and how its checks are
    kept apart: ``strict`` gives every check a never-used process and app, instead of running the
    checks one after another on one app and a failed one again on a never-used app."""

    check_seconds: float = 10.0
    cell_seconds: float = 20.0  # one cell of a handed-in notebook: a hang is named within a minute
    submission_seconds: float = 120.0
    memory_mb: int = 1024
    output_kb: int = 1024
    size_mb: int = 50
    folder_mb: int = 200  # the sandbox's own folder, on a file system of its own: the copy and what it writes
    strict: bool = False
