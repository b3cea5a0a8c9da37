"""Submissions that do not work at all still get a clear verdict, never a traceback or a hang, with either sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import Course
from grader.runner import grade
from grader.sandbox import Limits

COURSE = Course.load()
LESSON1 = COURSE.find("lesson1")
SUBMISSIONS = Path(__file__).parent / "submissions"
FAST = Limits(check_seconds=2, submission_seconds=20)
pytestmark = pytest.mark.usefixtures("sandbox_mechanism")


def run(name: str):
    return grade(COURSE, LESSON1, SUBMISSIONS / name, limits=FAST)


@pytest.mark.parametrize(("name", "title", "file", "line"), [
    ("syntax_error", "Python cannot read shelf/app.py: expected ':' (line 7)", "shelf/app.py", 7),
    ("missing_package", "Your code imports flask_shiny_widgets, which is not installed", "shelf/app.py", 2),
    ("missing_local_module", "An import failed: cannot import name 'storage' from 'shelf'", "shelf/app.py", 3),
    ("app_run_at_import", "Your code calls app.run() while it is being imported", "shelf/app.py", 11),
    ("raises_at_import", "Your code raised KeyError while being imported", "shelf/app.py", 5),
])
def test_import_problems_are_explained_with_file_and_line(name, title, file, line):
    report = run(name)
    assert report.load_error is not None
    assert report.load_error["title"].startswith(title)
    assert report.load_error["where"]["file"] == file
    assert report.load_error["where"]["line"] == line
    assert report.score == 0 and not report.passed


def test_no_app_variable_is_explained():
    report = run("no_app")
    assert report.load_error["title"] == "shelf/app.py has no app"
    assert "app = Flask(__name__)" in report.load_error["detail"]


def test_missing_folder_is_explained(tmp_path):
    report = grade(COURSE, LESSON1, tmp_path, limits=FAST)
    assert report.load_error["title"] == "No shelf/ folder found in the submission"


def test_exception_in_a_view_names_the_line():
    report = run("view_raises")
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    error = index.failure["error"]
    assert error["type"] == "TypeError"
    assert error["frames"][-1] == {"file": "shelf/app.py", "line": 9, "function": "index",
                                   "code": 'return "Welcome to Shelf, visitor number " + visits + 1'}


def test_endless_loop_in_a_view_times_out_and_other_checks_still_run():
    report = run("endless_view")
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    assert "did not finish within 2 s" in index.failure["limit"]
    assert len(report.checks) > 1


def test_endless_import_times_out():
    report = run("endless_import")
    assert "did not finish importing within 2 s" in report.load_error["title"]


def test_sys_exit_in_a_view_is_explained():
    report = run("view_calls_sys_exit")
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    assert "sys.exit(0) was called" in index.failure["error"]["message"]


@pytest.mark.posix("Windows has no file-size limit (RLIMIT_FSIZE): printing without end runs to the check's time limit")
def test_printing_without_end_hits_the_output_limit():
    report = run("prints_a_lot")
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    assert "output limit" in index.failure["error"]["message"]
    assert 0 < len(index.output) <= 4000


def test_exit_status_of_a_dying_view_is_reported():
    report = run("exits_in_view")
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    assert "exit status 3" in index.failure["limit"]
