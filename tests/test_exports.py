"""What instructors take from a batch: CSVs, feedback, Gradescope's results.json, the class summary,
and the course's checks packaged for Gradescope and GitHub Classroom."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from grader.classroom import batch, exports
from grader.authoring import mutants
from grader.course import COURSE_ROOT, Course
from grader.classroom.gradebook import Gradebook
from grader.report import failure_text
from grader.sandbox import IGNORED

COURSE = Course.load()
LESSON1, LESSON2, LESSON3 = COURSE.find("lesson1"), COURSE.find("lesson2"), COURSE.find("lesson3")
SUBMISSIONS = Path(__file__).parent / "submissions"
SCRIPT = "<script>alert('owned')</script>"

# Gradescope's results.json, as its autograder specification describes it (the keys this grader writes).
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score", "output", "visibility"],
            "properties": {
                "name": {"type": "string"}, "score": {"type": "number"}, "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]}, "output": {"type": "string"},
                "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        }},
    },
    "additionalProperties": False,
}


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
    app.write_text(app.read_text().replace("<h1>Welcome to Shelf</h1>", SCRIPT))
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
    exports.lesson_csv(list(entries.values()), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["student"] for row in rows] == ["ann", "ben", "cat", "dan"]
    own = [check.id for check in entries["ann"].report.checks]
    assert list(rows[0])[:4] == ["student", "score", "max_score", "passed"]
    assert list(rows[0])[4:-2] == own
    ann, ben, _, dan = rows
    assert (ann["score"], ann["max_score"], ann["passed"]) == ("14", "14", "yes")
    assert ben["lesson1::test_item_list"] == "0" and ben["lesson1::test_index"] == "1" and ben["passed"] == "no"
    assert dan["score"] == "0" and dan["note"].startswith("did not load:")


def test_course_csv_has_a_column_per_lesson(gradebook):
    result = grade("export", "course-csv", str(gradebook))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["student", "lesson1", "lesson2", "total"]
    table = {row[0]: row[1:] for row in rows[1:]}
    lesson2_max = str(int(json.loads(grade(LESSON2.id, "--solution", "--json").stdout)["max_score"]))
    assert table["ann"] == ["14", lesson2_max, str(14 + int(lesson2_max))]
    assert table["dan"] == ["0", "", "0"]
    assert table["ben"][1] == "0", "lesson 1's app scores nothing on lesson 2's own checks"


def test_course_csv_of_no_gradebook_is_one_line_and_exit_2(tmp_path):
    result = grade("export", "course-csv", str(tmp_path / "missing.sqlite"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no gradebook" in result.stderr


def test_feedback_shows_each_failure_as_the_student_reads_it(entries):
    text = exports.feedback_markdown(LESSON1, entries["ben"])
    failing = [check for check in entries["ben"].report.checks if not check.passed]
    assert failing
    for check in failing:
        assert f"- ✗ {check.title} — 0/{check.points:g}" in text
        for line in failure_text(check).splitlines():
            assert f"  {line}" in text
    assert f"**Score {entries['ben'].report.score:g}/14**" in text
    loaded = exports.feedback_markdown(LESSON1, entries["dan"])
    assert "## Your app did not load:" in loaded


def test_feedback_html_escapes_what_the_submission_wrote(entries):
    page = exports.feedback_html(COURSE, LESSON1, entries["cat"])
    assert page.startswith("<!doctype html>") and 'data-lesson="lesson1"' in page
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_results_json_follows_gradescopes_schema(entries, tmp_path):
    written = exports.write_per_student(COURSE, LESSON1, entries.values(), tmp_path, "results.json")
    assert written == 4
    for student, entry in entries.items():
        results = json.loads((tmp_path / student / "results.json").read_text())
        jsonschema.validate(results, RESULTS_SCHEMA)
        assert results["score"] == entry.report.score
        assert [test["status"] == "passed" for test in results["tests"]] == [
            check.passed for check in entry.report.checks]


def failing_got(entry, check_id: str) -> str:
    [check] = [check for check in entry.report.checks if check.id == check_id]
    return check.failure["got"]


def test_class_summary_counts_failures_and_the_most_common_wrong_response(entries):
    summary = exports.class_summary(entries.values())
    assert summary.loaded == 3
    assert summary.not_loaded == [(entries["dan"].report.load_error["title"], 1)]
    by_id = {check.id: check for check in summary.checks}
    item_list = by_id["lesson1::test_item_list"]
    assert (item_list.failed, item_list.graded) == (1, 3)
    assert item_list.common_count == 1 and item_list.common == failing_got(entries["ben"], "lesson1::test_item_list")
    index = by_id["lesson1::test_index"]
    assert index.failed == 1 and "owned" in index.common
    assert summary.checks[0].failed >= summary.checks[-1].failed
    text = exports.summary_markdown(LESSON1, summary)
    assert "| check | failed | most common wrong response |" in text and "1 submissions did not load" in text


# Gradescope ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    """Lesson 3's autograder, built from a copy of the course where one lesson 3 check is hidden."""
    work = tmp_path_factory.mktemp("gradescope")
    course_copy = work / "course"
    shutil.copytree(COURSE_ROOT / "lessons", course_copy / "lessons")
    shutil.copy(COURSE_ROOT / "pyproject.toml", course_copy / "pyproject.toml")
    checks = course_copy / "lessons" / "lesson3" / "checks.py"
    checks.write_text(checks.read_text().replace("@check(points=2, hints=[", "@check(points=2, hidden=True, hints=[", 1))
    result = grade("--root", str(course_copy), "export", "gradescope", "lesson3", "-o", str(work / "autograder.zip"))
    assert result.returncode == 0, result.stderr
    return work / "autograder.zip"


def run_autograder(autograder: Path, submission: Path, root: Path) -> dict:
    """Lay out /autograder as Gradescope does (source/ is the unzipped autograder), then run_autograder."""
    with zipfile.ZipFile(autograder) as bundle:
        bundle.extractall(root / "source")
        modes = {member.filename: member.external_attr >> 16 for member in bundle.infolist()}
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    shutil.copytree(submission, root / "submission", ignore=IGNORED)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "AUTOGRADER_ROOT": str(root)}, cwd=root)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_gradescope_zip_holds_the_grader_and_the_lessons_checks(autograder):
    names = set(zipfile.ZipFile(autograder).namelist())
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/cli/__init__.py", "grader/pytest.ini",
            "lessons/course.toml", "lessons/lesson1/checks.py", "lessons/lesson3/probes.py"} <= names
    assert not any(name.startswith(("solutions/", "exercises/", "lessons/lesson4/")) for name in names)
    assert not any(name.endswith(("lesson.md", "mutants.toml", ".pyc")) for name in names)
    requirements = zipfile.ZipFile(autograder).read("requirements.txt").decode()
    assert "flask" in requirements and "pytest" in requirements


@pytest.mark.linux_sandbox("the Gradescope autograder insists on the Linux sandbox (GRADE_SANDBOX=linux)")
def test_run_autograder_grades_the_submission_into_results_json(autograder, tmp_path):
    results = run_autograder(autograder, LESSON3.solution, tmp_path / "autograder")
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert all(test["status"] == "passed" for test in results["tests"])
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0
    hidden = [test for test in results["tests"] if test["visibility"] == "after_published"]
    assert len(hidden) == 1 and hidden[0]["max_score"] == 2


@pytest.mark.linux_sandbox("the Gradescope autograder insists on the Linux sandbox (GRADE_SANDBOX=linux)")
def test_run_autograder_explains_a_buggy_submission(autograder, tmp_path):
    mutant = mutants(LESSON3)[0]
    mutant.apply(LESSON3.solution, tmp_path / "buggy")
    results = run_autograder(autograder, tmp_path / "buggy", tmp_path / "autograder")
    jsonschema.validate(results, RESULTS_SCHEMA)
    failed = [test for test in results["tests"] if test["status"] == "failed"]
    assert failed and all(test["score"] == 0 and "expected" in test["output"] for test in failed)
    assert results["score"] < sum(test["max_score"] for test in results["tests"])


# GitHub Classroom ------------------------------------------------------------------------------

def test_github_classroom_runs_a_test_per_check_with_its_points(tmp_path):
    result = grade("export", "github-classroom", "lesson1", "lesson2", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "classroom.yml").read_text())
    tests = json.loads((tmp_path / ".github" / "classroom" / "autograding.json").read_text())["tests"]
    assert workflow["on"] == ["push", "repository_dispatch", "workflow_dispatch"]
    assert workflow["jobs"]["run-autograding-tests"]["env"] == {"GRADE_SANDBOX": "linux"}
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    graders = [step for step in steps if step.get("uses", "").startswith("classroom-resources/autograding-command")]
    own = [check for lesson in (LESSON1, LESSON2)
           for check in json.loads(grade(lesson.id, "--solution", "--json").stdout)["tests"] if not check["regression"]]
    assert [step["with"]["test-name"] for step in graders] == [check["name"] for check in own]
    assert [step["with"]["max-score"] for step in graders] == [check["max_score"] for check in own]
    assert [test["points"] for test in tests] == [check["max_score"] for check in own]
    assert [test["run"] for test in tests] == [step["with"]["command"] for step in graders]
    reporter = steps[-1]
    assert reporter["with"]["runners"].split(",") == [step["id"] for step in graders]
    assert set(reporter["env"]) == {f"{step['id'].upper()}_RESULTS" for step in graders}
    command = graders[3]["with"]["command"].split()
    assert command[:3] == ["grade", "lesson1", "--check"]
    assert grade(*command[1:], "--solution").returncode == 0
    again = grade("export", "github-classroom", "lesson1", "-o", str(tmp_path))
    assert again.returncode == 2 and "exists already" in again.stderr
