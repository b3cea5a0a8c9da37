"""How much a submission may use: one frozen value every part of grading passes along."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """How much a submission may use. Every limit has a verdict that names it."""

    check_seconds: float = 10.0
    cell_seconds: float = 20.0  # one cell of a handed-in notebook: a hang is named within a minute
    submission_seconds: float = 120.0
    memory_mb: int = 1024
    output_kb: int = 1024
    size_mb: int = 50
