"""The lesson notebooks: generated from the lessons, run in a real Jupyter kernel, and graded when handed in."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from grader.course import COURSE_ROOT, Course
from grader.reports.html import report_html
from grader.notebooks import check
from grader.notebooks.build import build, render, sections, stale, write
from grader.sandbox.notebook import CHECK_TAG
from grader.report import CheckResult, Report
from grader.sandbox import Limits

COURSE = Course.load()
LESSONS = [pytest.param(lesson, id=lesson.id) for lesson in COURSE.lessons]
FIRST = COURSE.lessons[0]
ROOT_ATTRIBUTES = re.compile(r'<div class="shelf-report"([^>]*)>')


def grade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=COURSE_ROOT, timeout=300, check=False)


def verdict(html: str) -> dict[str, str]:
    """The data- attributes of a report's root element: lesson, passed, score, max-score."""
    match = ROOT_ATTRIBUTES.search(html)
    assert match, html[:500]
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1)))


def run_in_kernel(notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run every cell, check cell included, in a real IPython kernel started in ``folder``."""
    NotebookClient(notebook, timeout=300, kernel_name="python3", shutdown_kernel="immediate",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def check_cell_html(notebook: nbformat.NotebookNode) -> str:
    [cell] = [cell for cell in notebook.cells if CHECK_TAG in cell.metadata.get("tags", [])]
    [output] = [output for output in cell.outputs if "text/html" in output.get("data", {})]
    return output["data"]["text/html"]


def committed(lesson) -> nbformat.NotebookNode:
    return nbformat.read(COURSE_ROOT / "notebooks" / f"{lesson.id}.ipynb", as_version=4)


def with_cell(notebook: nbformat.NotebookNode, source: str, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """The notebook with one more code cell just before its check cell."""
    position = next(i for i, cell in enumerate(notebook.cells) if CHECK_TAG in cell.metadata.get("tags", []))
    notebook.cells.insert(position, new_code_cell(source, metadata={"tags": list(tags)}))
    return notebook


# Generated, one source of truth ------------------------------------------------------------------------------

def test_committed_notebooks_are_what_the_generator_makes():
    out_of_date = stale(COURSE, COURSE_ROOT / "notebooks")
    assert not out_of_date, f"run `grade notebooks`: {[path.name for path in out_of_date]} are out of date"


def test_generation_is_deterministic_and_rewrites_only_stale_notebooks(tmp_path):
    assert len(write(COURSE, tmp_path)) == len(COURSE.lessons)
    assert render(build(COURSE, FIRST)) == render(build(COURSE, FIRST))
    changed = tmp_path / f"{FIRST.id}.ipynb"
    changed.write_text(changed.read_text().replace("Shelf", "Shelve"))
    assert stale(COURSE, tmp_path) == [changed]
    assert write(COURSE, tmp_path) == [changed]
    assert stale(COURSE, tmp_path) == []


def test_notebooks_command_reports_drift():
    result = grade("notebooks", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_sections_split_at_headings_but_never_inside_code():
    text = "# Title\n\nIntro\n\n## One\n\n```python\n## not a heading\nx = 1\n```\n\n## Two\n\nEnd\n"
    assert sections(text) == ["# Title\n\nIntro", "## One\n\n```python\n## not a heading\nx = 1\n```", "## Two\n\nEnd"]


@pytest.mark.parametrize("lesson", LESSONS)
def test_notebook_holds_the_lesson_text_and_every_starter_file(lesson):
    notebook = committed(lesson)
    markdown = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    for part in sections(lesson.text.read_text(encoding="utf-8")):
        assert part in markdown
    written = {cell.source.splitlines()[0].split(maxsplit=1)[1] for cell in notebook.cells
               if cell.source.startswith("%%writefile ")}
    starter = {f"work/{lesson.id}/{path.relative_to(lesson.exercise).as_posix()}"
               for path in lesson.exercise.rglob("*") if path.is_file() and path.stat().st_size}
    assert starter <= written


# Run in a real kernel ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS)
def test_starter_notebook_reports_failing_checks(lesson, tmp_path):
    notebook = run_in_kernel(committed(lesson), tmp_path)
    for cell in notebook.cells:
        assert not [output for output in cell.get("outputs", []) if output.output_type == "error"], cell.source[:80]
    html = check_cell_html(notebook)
    result = verdict(html)
    assert result["lesson"] == lesson.id and result["passed"] == "false"
    assert float(result["score"]) < float(result["max-score"])
    assert 'class="fail"' in html and "Not graded" not in html


@pytest.mark.parametrize("lesson", LESSONS)
def test_notebook_with_the_solution_reports_full_marks(lesson, tmp_path):
    notebook = run_in_kernel(build(COURSE, lesson, app=lesson.solution), tmp_path)
    result = verdict(check_cell_html(notebook))
    assert result["passed"] == "true", check_cell_html(notebook)
    assert float(result["score"]) == float(result["max-score"]) > 0


def test_run_from_the_top_writes_the_starter_afresh_and_checks_it_as_grade_does(tmp_path):
    stray = tmp_path / "work" / FIRST.id / "stray.py"
    stray.parent.mkdir(parents=True)
    stray.write_text("left over from an earlier run")
    html = check_cell_html(run_in_kernel(committed(FIRST), tmp_path))
    assert not stray.exists()
    for path in FIRST.exercise.rglob("*"):
        if path.is_file():
            assert (tmp_path / "work" / FIRST.id / path.relative_to(FIRST.exercise)).read_bytes() == path.read_bytes()
    shown = {check: state for state, check in re.findall(r'<li class="(pass|fail)" data-check="([^"]+)"', html)}
    terminal = json.loads(grade(FIRST.id, "--path", str(FIRST.exercise), "--json").stdout)
    assert shown == {test["check"]: "pass" if test["status"] == "passed" else "fail" for test in terminal["tests"]}


def test_check_before_the_cells_ran_says_so(tmp_path):
    html = check(FIRST.id, tmp_path / "missing").data
    assert "Not graded" in html and "run the cells above first" in html


# Handed in: `grade lessonN --path notebook.ipynb` ------------------------------------------------------------------

def handed_in(tmp_path: Path, notebook: nbformat.NotebookNode, name: str = "submission.ipynb") -> str:
    path = tmp_path / name
    nbformat.write(notebook, path)
    return str(path)


def test_grades_what_a_run_from_the_top_writes(tmp_path):
    notebook = build(COURSE, FIRST, app=FIRST.solution)
    with_cell(notebook, "raise RuntimeError('a check cell is skipped when grading')", tags=(CHECK_TAG,))
    result = grade(FIRST.id, "--path", handed_in(tmp_path, notebook), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["passed"] and data["score"] == data["max_score"] > 0


def test_starter_notebook_fails_the_checks_like_the_starter(tmp_path):
    result = grade(FIRST.id, "--path", handed_in(tmp_path, committed(FIRST)), "--json")
    assert result.returncode == 1
    from_notebook = json.loads(result.stdout)
    from_folder = json.loads(grade(FIRST.id, "--path", str(FIRST.exercise), "--json").stdout)
    assert from_notebook["load_error"] is None
    assert [(test["check"], test["status"]) for test in from_notebook["tests"]] == \
           [(test["check"], test["status"]) for test in from_folder["tests"]]


def test_a_cell_that_raises_is_a_verdict_naming_the_cell(tmp_path):
    notebook = with_cell(build(COURSE, FIRST, app=FIRST.solution), "undefined_name + 1")
    result = grade(FIRST.id, "--path", handed_in(tmp_path, notebook), "--json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert "NameError: name 'undefined_name' is not defined" in data["load_error"]["title"]
    assert "`undefined_name + 1`" in data["load_error"]["title"]
    assert data["score"] == 0 and data["max_score"] > 0
    assert all(test["status"] == "failed" for test in data["tests"])
    assert "Traceback" not in result.stdout + result.stderr


def test_a_cell_that_hangs_is_stopped_at_the_time_limit(tmp_path):
    notebook = with_cell(build(COURSE, FIRST, app=FIRST.solution), "while True:\n    pass")
    result = grade(FIRST.id, "--path", handed_in(tmp_path, notebook), "--timeout", "4", "--json")
    assert result.returncode == 1, result.stderr
    title = json.loads(result.stdout)["load_error"]["title"]
    assert "did not finish" in title and "(4 s)" in title and "`while True:`" in title


def test_a_cell_that_never_ends_is_stopped_at_the_cell_limit_naming_cell_and_limit(tmp_path):
    notebook = with_cell(build(COURSE, FIRST, app=FIRST.solution), "import time\nwhile True:\n    time.sleep(1)")
    result = grade(FIRST.id, "--path", handed_in(tmp_path, notebook), "--cell-timeout", "3", "--json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    title = data["load_error"]["title"]
    assert re.search(r"cell \d+ of \d+ \(`import time`\)", title)
    assert "after 3 s, the time one cell may take" in title
    assert data["score"] == 0 and all(test["status"] == "failed" for test in data["tests"])


def test_the_cell_limit_is_well_under_a_minute_by_default():
    assert Limits().cell_seconds < 60 < Limits().submission_seconds


@pytest.mark.parametrize(("cell", "verdict"), [
    ("name = input('Your name? ')", "asks for input"),
    ("import os\nos._exit(3)", "kernel died"),
], ids=["waits for input", "kills its kernel"])
def test_a_cell_that_cannot_finish_is_a_verdict_naming_it_at_once(tmp_path, cell, verdict):
    notebook = with_cell(build(COURSE, FIRST, app=FIRST.solution), cell)
    result = grade(FIRST.id, "--path", handed_in(tmp_path, notebook), "--json")
    assert result.returncode == 1, result.stderr
    title = json.loads(result.stdout)["load_error"]["title"]
    assert verdict in title and f"`{cell.splitlines()[0]}`" in title


def test_the_kernel_is_confined_and_leaves_nothing_running(tmp_path, running):
    marker = str(3000 + uuid.uuid4().int % 5000)
    outside = tmp_path / "escaped.txt"
    probe = f"""
import pathlib, subprocess
seen = []
subprocess.Popen(["setsid", "sleep", "{marker}"])
try:
    pathlib.Path({str(outside)!r}).write_text("out")
    seen.append("wrote outside")
except OSError:
    seen.append("outside is read-only")
try:
    pathlib.Path({str(FIRST.checks)!r}).read_text()
    seen.append("read the checks")
except OSError:
    seen.append("checks hidden")
pathlib.Path("work/{FIRST.id}/shelf/app.py").write_text(
    "from flask import Flask\\napp = Flask(__name__)\\n@app.get('/')\\ndef index():\\n    return " + repr(" ".join(seen)))
"""
    result = grade(FIRST.id, "--path", handed_in(tmp_path, with_cell(committed(FIRST), probe)), "--json")
    body = json.loads(result.stdout)["tests"][0]["failure"]["got"]
    assert "outside is read-only" in body and "checks hidden" in body
    assert not outside.exists()
    assert not running(f"sleep {marker}")


@pytest.mark.parametrize("content", ["{not json", '{"cells": 3}'])
def test_an_unreadable_notebook_is_one_line_and_exit_2(tmp_path, content):
    path = tmp_path / "broken.ipynb"
    path.write_text(content)
    result = grade(FIRST.id, "--path", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("grade: error: broken.ipynb is not a readable notebook")
    assert len(result.stderr.strip().splitlines()) == 1


# The HTML verdicts -----------------------------------------------------------------------------------------------

def test_html_report_escapes_what_the_student_controls():
    failing = CheckResult(id="lesson1::test_index", lesson="lesson1", title="GET / greets", points=2,
                          hints=("first <hint>", "second hint"), hidden=False, regression=False,
                          failure={"sent": "GET /", "got": "200 OK · body '<script>alert(1)</script>'",
                                   "expected": "Welcome"}, output="<b>printed</b>")
    html = report_html(COURSE, FIRST, Report(lesson="lesson1", title=FIRST.title, checks=[failing]))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>printed</b>" not in html and "first &lt;hint&gt;" in html and "second hint" in html
    assert verdict(html) == {"lesson": "lesson1", "passed": "false", "score": "0", "max-score": "2"}


def test_grade_html_prints_the_same_verdicts_as_the_terminal():
    html = grade(FIRST.id, "--path", str(FIRST.solution), "--html")
    text = grade(FIRST.id, "--path", str(FIRST.solution))
    assert html.returncode == text.returncode == 0
    assert verdict(html.stdout)["passed"] == "true"
    score = re.search(r"Score (\S+)", text.stdout).group(1)
    assert f"Score {score}" in html.stdout
