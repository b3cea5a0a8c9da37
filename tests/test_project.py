"""Project-level promises: CI runs the README's test command; a broken course is reported, not hidden."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from grader.course import COURSE_ROOT, Course
from grader.student.rendering import lesson_page
from grader.runner import CourseError, grade


def _readme_command(marker: str) -> str:
    readme = (COURSE_ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(rf"<!-- {marker} -->\n```console\n(.+)\n```", readme).group(1)


def test_ci_runs_exactly_the_readme_test_command():
    ci_lines = (COURSE_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci_lines[-1] == _readme_command("test-command")


def test_the_workflow_runs_the_readme_test_command_on_the_three_systems():
    workflow = yaml.safe_load((COURSE_ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["tests"]
    assert job["strategy"]["matrix"] == {"os": ["ubuntu-latest", "macos-latest", "windows-latest"],
                                         "python-version": ["3.11", "3.12"]}
    commands = {step["run"] for step in job["steps"] if "README" in step.get("name", "")}
    assert commands == {_readme_command("test-command"), _readme_command("test-command-windows")}


def test_a_checks_file_that_does_not_import_is_a_course_error(tmp_path: Path):
    shutil.copytree(COURSE_ROOT / "lessons", tmp_path / "lessons")
    (tmp_path / "lessons" / "lesson1" / "checks.py").write_text("import no_such_module\n")
    course = Course.load(tmp_path)
    lesson = course.find("lesson1")
    with pytest.raises(CourseError, match="No module named 'no_such_module'"):
        grade(course, lesson, COURSE_ROOT / "solutions" / "lesson1")


@pytest.mark.parametrize("lesson", Course.load().lessons, ids=lambda lesson: lesson.id)
def test_lesson_renders_with_highlighted_code(lesson):
    page = lesson_page(lesson)
    assert '<div class="highlight">' in page
    assert "```" not in page
