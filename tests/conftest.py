"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import pytest

from grader.course import Course


@pytest.fixture(scope="session")
def course() -> Course:
    return Course.load()
