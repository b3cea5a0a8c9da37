"""Grade sheets and the class summary an instructor can act on: why a full score does not pass, the points
each column is out of, cells a spreadsheet never runs, students matched whatever their case (or by a
roster), "not submitted" told from "not graded", and mistakes grouped by kind with the students named."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring import mutants
from grader.classroom import batch, sheets, summary
from grader.classroom.gradebook import Gradebook
from grader.course import Course
from grader.sandbox import IGNORED

COURSE = Course.load()
LESSON1, LESSON3 = COURSE.find("lesson1"), COURSE.find("lesson3")
FORGOT_404 = "404 handler renders the template but forgets the 404 status"


def grade(*args: str, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300,
                          check=False, **options)


def edited(folder: Path, old: str, new: str) -> None:
    app = folder / "shelf" / "app.py"
    text = app.read_text()
    assert old in text
    app.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, dict]:
    """A lesson 3 class: a pass; a full score that breaks a lesson 1 check; two students whose 404 pages answer
    200 (with different pages); a student whose name reads as a formula."""
    work = tmp_path_factory.mktemp("sheets")
    folder = work / "lesson3"
    shutil.copytree(LESSON3.solution, folder / "Ann", ignore=IGNORED)
    shutil.copytree(LESSON3.solution, folder / "bob", ignore=IGNORED)
    edited(folder / "bob", 'methods=["GET", "POST"]', 'methods=["GET", "POST", "PUT"]')
    [forgot] = [mutant for mutant in mutants(LESSON3) if mutant.name == FORGOT_404]
    forgot.apply(LESSON3.solution, folder / "cat")
    forgot.apply(LESSON3.solution, folder / "dan")
    page = folder / "dan" / "shelf" / "templates" / "404.html"
    page.write_text(page.read_text().replace("couldn't find that page", "has nothing here"))
    shutil.copytree(LESSON3.solution, folder / "=2+3", ignore=IGNORED)
    book = work / "gradebook.sqlite"
    batch.run(COURSE, LESSON3, folder, book, jobs=2)
    with Gradebook(book) as grades:
        return book, {entry.student: entry for entry in grades.latest(LESSON3.id)}


def lesson_rows(entries: dict) -> dict[str, dict[str, str]]:
    out = io.StringIO()
    sheets.lesson_csv(list(entries.values()), out)
    return {row["student"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


def test_a_full_score_that_does_not_pass_says_why(graded):
    bob = lesson_rows(graded[1])["bob"]
    assert (bob["score"], bob["max_score"], bob["passed"]) == ("14", "14", "no")
    assert bob["why_not_passed"].startswith("broke lesson1::test_other_methods_refused")
    assert bob["why_not_passed"].endswith("(earlier lessons: no points, but they must pass)")
    assert lesson_rows(graded[1])["Ann"]["why_not_passed"] == ""


def test_the_first_row_is_what_each_column_is_out_of(graded):
    rows = lesson_rows(graded[1])
    assert next(iter(rows)) == sheets.MAX_ROW
    maximum = rows[sheets.MAX_ROW]
    assert maximum["score"] == "14" and maximum["lesson3::test_base_template"] == "2"


@pytest.mark.parametrize("cell", ["=2+3", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_start_like_a_formula_are_never_run(cell):
    assert sheets.safe(cell) == f"'{cell}"
    assert sheets.safe("Ann") == "Ann" and sheets.safe("1+1") == "1+1"


def test_a_student_named_like_a_formula_is_escaped_in_the_csv(graded):
    assert "'=2+3" in lesson_rows(graded[1]) and "=2+3" not in lesson_rows(graded[1])


def test_the_class_summary_groups_by_mistake_names_students_and_keeps_regressions_apart(graded):
    result = summary.class_summary(graded[1].values())
    by_id = {check.id: check for check in result.checks}
    layout = by_id["lesson3::test_every_page_uses_the_layout"]
    assert layout.mistakes == (summary.Mistake("status 200 instead of 404", ("cat", "dan")),), "not by page excerpt"
    regressions = {check.id: check for check in result.regressions}
    assert "lesson1::test_other_methods_refused" not in by_id
    assert regressions["lesson1::test_other_methods_refused"].mistakes[0].students == ("bob",)
    assert layout.mistakes[0] in regressions["lesson2::test_html_not_found_page"].mistakes
    text = summary.summary_markdown(LESSON3, result)
    own, earlier = text.split("## Earlier lessons' checks that broke")
    assert "- status 200 instead of 404 (2): cat, dan" in own and "bob" not in own
    assert "bob" in earlier and "lesson1::test_other_methods_refused" in earlier


def test_the_batch_terminal_names_who_made_each_mistake(graded, tmp_path):
    book, _ = graded
    result = grade("batch", LESSON3.id, str(book.parent / "lesson3"), "--gradebook", str(book),
                   env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "status 200 instead of 404 (2): cat, dan" in out and "Earlier lessons' checks that broke" in out


@pytest.fixture
def two_gradebooks(graded, tmp_path) -> tuple[Path, Path]:
    """The lesson 3 class above, and a lesson 1 gradebook where Ann is "ann", one grading failed and Eve
    handed in lesson 1 only."""
    book = tmp_path / "lesson1.sqlite"
    folder = tmp_path / "lesson1"
    for student in ("ann", "eve"):
        shutil.copytree(LESSON1.solution, folder / student, ignore=IGNORED)
    batch.run(COURSE, LESSON1, folder, book, jobs=2)
    with Gradebook(book) as grades:
        run = grades.start_run(LESSON1.id, folder, "fingerprint", {})
        grades.record(run, "cat", "cat.zip", "hash", "fingerprint", None, "not graded: the grader's worker stopped")
    return graded[0], book


def course_rows(text: str) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    return {row[0]: row[1:] for row in rows[1:]}


def test_the_course_csv_matches_students_whatever_their_case(two_gradebooks):
    result = grade("export", "course-csv", *map(str, two_gradebooks))
    assert result.returncode == 0, result.stderr
    table = course_rows(result.stdout)
    assert table[sheets.MAX_ROW] == ["15", "14", "29"]
    [ann] = [name for name in table if name.casefold() == "ann"]
    assert ann == "ann" and table[ann] == ["15", "14", "29"], "one row, spelled as graded last (lesson 1's)"
    assert table["cat"] == [sheets.NOT_GRADED, "13", "13"]
    assert table["eve"] == ["15", sheets.NOT_SUBMITTED, "15"]


def test_a_roster_gives_every_student_a_row_in_its_order(two_gradebooks, tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("Zoe\neve\n\nANN\n")
    result = grade("export", "course-csv", *map(str, two_gradebooks), "--roster", str(roster))
    assert result.returncode == 0, result.stderr
    table = course_rows(result.stdout)
    assert list(table)[:4] == [sheets.MAX_ROW, "Zoe", "eve", "ANN"]
    assert table["Zoe"] == [sheets.NOT_SUBMITTED, sheets.NOT_SUBMITTED, "0"]
    assert table["ANN"] == ["15", "14", "29"]
    assert result.stderr.count("\n") == 1 and "not on the roster" in result.stderr and "bob" in result.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("ann\nAnn\n", "twice"), ("\n\n", "names no student"), (None, "cannot read the roster"),
])
def test_a_roster_that_cannot_be_used_is_one_line_and_exit_2(two_gradebooks, tmp_path, content, message):
    roster = tmp_path / "roster.txt"
    if content is not None:
        roster.write_text(content)
    result = grade("export", "course-csv", str(two_gradebooks[0]), "--roster", str(roster), "-o",
                   str(tmp_path / "course.csv"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "course.csv").exists()
