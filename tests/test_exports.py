"""What instructors take from a batch: CSVs, feedback, Gradescope's results.json and the class summary
(the packages for Gradescope and GitHub Classroom are tested in test_platforms.py)."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from gradescope_schema import RESULTS_SCHEMA

from grader.authoring import mutants
from grader.classroom import batch, feedback, sheets, summary
from grader.classroom.gradebook import Gradebook
from grader.course import Course
from grader.report import failure_text
from grader.sandbox import IGNORED

COURSE = Course.load()
LESSON1, LESSON2, LESSON3 = COURSE.find("lesson1"), COURSE.find("lesson2"), COURSE.find("lesson3")
SUBMISSIONS = Path(__file__).parent / "submissions"
SCRIPT = "<script>alert('owned')</script>"

def grade(*args: str, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300,
                          check=False, **options)


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory) -> Path:
    """Lessons 1 and 2 graded for a small class, in one gradebook."""
    work = tmp_path_factory.mktemp("exports")
    first, second = work / "lesson1", work / "lesson2"
    shutil.copytree(LESSON1.solution, first / "ann", ignore=IGNORED)
    mutants(LESSON1)[1].apply(LESSON1.solution, first / "ben")  # items rule without the trailing slash
    shutil.copytree(LESSON1.solution, first / "cat", ignore=IGNORED)
    app = first / "cat" / "shelf" / "app.py"
    # The page shows a script tag as text; the failure quotes the page's text, where it reads <script> again.
    app.write_text(app.read_text().replace("<h1>Welcome to Shelf</h1>", f"<h1>{html.escape(SCRIPT)}</h1>"))
    shutil.copytree(SUBMISSIONS / "no_app", first / "dan", ignore=IGNORED)
    shutil.copytree(LESSON2.solution, second / "ann", ignore=IGNORED)
    shutil.copytree(LESSON1.solution, second / "ben", ignore=IGNORED)
    book = work / "gradebook.sqlite"
    batch.run(COURSE, LESSON1, first, book, jobs=2)
    batch.run(COURSE, LESSON2, second, book, jobs=2)
    return book


@pytest.fixture(scope="module")
def entries(gradebook: Path) -> dict:
    with Gradebook(gradebook) as book:
        return {entry.student: entry for entry in book.latest(LESSON1.id)}


def test_lesson_csv_has_a_row_per_student_and_a_column_per_check(entries):
    out = io.StringIO()
    sheets.lesson_csv(list(entries.values()), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["student"] for row in rows] == [sheets.MAX_ROW, "ann", "ben", "cat", "dan"]
    own = [check.id for check in entries["ann"].report.checks]
    assert list(rows[0])[:5] == ["student", "score", "max_score", "passed", "why_not_passed"]
    assert list(rows[0])[5:] == own
    maximum, ann, ben, _, dan = rows
    assert [maximum[check.id] for check in entries["ann"].report.checks] == [
        f"{check.points:g}" for check in entries["ann"].report.checks]
    assert maximum["score"] == maximum["max_score"] == "15"
    assert (ann["score"], ann["max_score"], ann["passed"], ann["why_not_passed"]) == ("15", "15", "yes", "")
    assert ben["lesson1::test_item_list"] == "0" and ben["lesson1::test_index"] == "1" and ben["passed"] == "no"
    assert ben["why_not_passed"].startswith("failed lesson1::test_item_list")
    assert dan["score"] == "0" and dan["why_not_passed"].startswith("did not load:")


def test_course_csv_has_a_column_per_lesson(gradebook):
    result = grade("export", "course-csv", str(gradebook))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["student", "lesson1", "lesson2", "total"]
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table[sheets.MAX_ROW][0] == "15"
    lesson2_max = str(int(json.loads(grade(LESSON2.id, "--solution", "--json").stdout)["max_score"]))
    assert table["ann"] == ["15", lesson2_max, str(15 + int(lesson2_max))]
    assert table["dan"] == ["0", sheets.NOT_SUBMITTED, "0"]
    assert table["ben"][1] == "0", "lesson 1's app scores nothing on lesson 2's own checks"


def test_course_csv_of_no_gradebook_is_one_line_and_exit_2(tmp_path):
    result = grade("export", "course-csv", str(tmp_path / "missing.sqlite"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no gradebook" in result.stderr


def test_feedback_shows_each_failure_as_the_student_reads_it(entries):
    text = feedback.feedback_markdown(LESSON1, entries["ben"])
    failing = [check for check in entries["ben"].report.checks if not check.passed]
    assert failing
    for check in failing:
        assert f"- ✗ {check.title} — 0/{check.points:g}" in text
        for line in failure_text(check).splitlines():
            assert f"  {line}" in text
    assert f"**Score {entries['ben'].report.score:g}/15**" in text
    loaded = feedback.feedback_markdown(LESSON1, entries["dan"])
    assert "## Your app did not load:" in loaded


def test_feedback_html_escapes_what_the_submission_wrote(entries):
    page = feedback.feedback_html(COURSE, LESSON1, entries["cat"])
    assert page.startswith("<!doctype html>") and 'data-lesson="lesson1"' in page
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_results_json_follows_gradescopes_schema(entries, tmp_path):
    written = feedback.write_per_student(COURSE, LESSON1, entries.values(), tmp_path, "results.json")
    assert written == 4
    for student, entry in entries.items():
        results = json.loads((tmp_path / student / "results.json").read_text())
        jsonschema.validate(results, RESULTS_SCHEMA)
        assert results["score"] == entry.report.score
        assert [test["status"] == "passed" for test in results["tests"]] == [
            check.passed for check in entry.report.checks]


def test_class_summary_groups_students_by_mistake(entries):
    result = summary.class_summary(entries.values())
    assert result.loaded == 3
    assert result.not_loaded == (summary.Mistake(entries["dan"].report.load_error["title"], ("dan",)),)
    by_id = {check.id: check for check in result.checks}
    item_list = by_id["lesson1::test_item_list"]
    assert (item_list.failed, item_list.graded) == (1, 3)
    assert item_list.mistakes == (summary.Mistake("status 404 instead of 200", ("ben",)),)
    index = by_id["lesson1::test_index"]
    assert index.failed == 1 and index.mistakes[0].students == ("cat",) and "owned" not in index.mistakes[0].what
    assert result.checks[0].failed >= result.checks[-1].failed
    assert result.regressions == []
    text = summary.summary_markdown(LESSON1, result)
    assert "- status 404 instead of 200 (1): ben" in text and "## 1 submissions did not load" in text
