"""`grade batch`: a class's submissions graded in parallel, each exactly as `grade --instructor` grades
it, into a gradebook that keeps what was graded, even when the batch is interrupted."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest

from grader.classroom import batch
from grader.authoring import mutants
from grader.course import COURSE_ROOT, Course
from grader.classroom.gradebook import Gradebook, GradebookError
from grader.notebooks.build import build
from grader.sandbox import IGNORED, Limits
from grader.submission import digest

COURSE = Course.load()
LESSON = COURSE.find("lesson3")
LESSON1 = COURSE.find("lesson1")
HOSTILE = Path(__file__).parent / "hostile"
SANDBOX_FOLDER = re.compile(r"/[^'\" ]*/grade-[a-z0-9_-]+")


def grade(*args: str, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300,
                          check=False, **options)


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> None:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, prefix + path.relative_to(folder).as_posix())


def copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=IGNORED)
    return target


@pytest.fixture(scope="module")
def classroom(tmp_path_factory) -> Path:
    """A lesson 3 class: a folder, a zip with a mistake, a notebook, two attacks, a broken zip, and a stray file."""
    work = tmp_path_factory.mktemp("class")
    folder = work / "submissions"
    folder.mkdir()
    copy(LESSON.solution, folder / "alice")
    mutants(LESSON)[0].apply(LESSON.solution, work / "bob")
    zip_folder(work / "bob", folder / "bob.zip", prefix="bob-lesson3/")
    nbformat.write(build(COURSE, LESSON, app=LESSON.solution), folder / "carol.ipynb")
    copy(HOSTILE / "patches_test_client", folder / "mallory")
    copy(HOSTILE / "escapes_with_setsid", folder / "oscar")
    (folder / "trent.zip").write_bytes(b"this is not a zip file")
    (folder / "notes.txt").write_text("not a submission")
    return folder


@pytest.fixture(scope="module")
def graded(classroom: Path) -> tuple[batch.Summary, dict]:
    summary = batch.run(COURSE, LESSON, classroom, classroom / batch.GRADEBOOK, jobs=2)
    with Gradebook(classroom / batch.GRADEBOOK) as book:
        entries = {entry.student: entry for entry in book.latest(LESSON.id)}
    return summary, entries


def test_every_submission_gets_a_verdict_and_strays_are_left_alone(classroom, graded, running):
    summary, entries = graded
    assert summary.students == ["alice", "bob", "carol", "mallory", "oscar", "trent"]
    assert {outcome.submission.student: outcome.status for outcome in summary.outcomes} == dict.fromkeys(
        summary.students, "graded")
    assert [path.name for path in summary.ignored] == ["notes.txt"]
    assert entries["alice"].report.passed and entries["carol"].report.passed
    assert not entries["bob"].report.passed and not entries["mallory"].report.passed
    assert not running("987654"), "a process a submission left behind outlived the batch"
    assert not running("grader.classroom.worker"), "a worker outlived the batch"


def verdicts(checks: list[tuple[str, bool, dict | None]]) -> list[tuple[str, bool, str]]:
    """Each check's verdict, with the sandbox's own (random) folder name left out of messages."""
    return [(check, passed, SANDBOX_FOLDER.sub("<sandbox>", json.dumps(failure))) for check, passed, failure in checks]


@pytest.mark.parametrize("student", ["alice", "bob.zip", "carol.ipynb", "mallory", "oscar"])
def test_batch_verdicts_are_those_of_grade_instructor(classroom, graded, student):
    single = grade(LESSON.id, "--path", str(classroom / student), "--instructor", "--json")
    expected = json.loads(single.stdout)
    report = graded[1][student.split(".")[0]].report
    assert report.score == expected["score"] and report.max_score == expected["max_score"]
    assert report.load_error == expected["load_error"]
    assert verdicts([(check.id, check.passed, check.failure) for check in report.checks]) == verdicts(
        [(test["check"], test["status"] == "passed", test["failure"]) for test in expected["tests"]])


def test_an_unreadable_archive_fails_every_check_saying_why(graded):
    report = graded[1]["trent"].report
    assert report.load_error["title"] == "Not graded: trent.zip is not a readable archive (File is not a zip file)"
    assert report.checks and all(not check.passed for check in report.checks)
    assert report.score == 0 and report.max_score == graded[1]["alice"].report.max_score


def test_the_gradebook_keeps_a_row_per_student_with_every_check(classroom, graded):
    db = sqlite3.connect(classroom / batch.GRADEBOOK)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    rows = db.execute("SELECT student, lesson, status, content_hash, score FROM grades ORDER BY student").fetchall()
    assert [row[:3] for row in rows] == [(student, LESSON.id, "graded") for student in graded[0].students]
    assert all(len(row[3]) == 64 for row in rows)
    checks = db.execute("SELECT COUNT(*) FROM checks JOIN grades ON grades.id = checks.grade "
                        "WHERE student = 'alice'").fetchone()[0]
    assert checks == len(graded[1]["alice"].report.checks)
    assert db.execute("SELECT finished IS NOT NULL FROM runs").fetchall() == [(1,)]


def test_a_batch_run_again_grades_only_what_changed(tmp_path):
    folder = tmp_path / "submissions"
    copy(LESSON1.solution, folder / "ann")
    copy(LESSON1.solution, folder / "ben")
    book = tmp_path / "grades.sqlite"
    first = batch.run(COURSE, LESSON1, folder, book, jobs=2)
    assert first.count("graded") == 2
    again = batch.run(COURSE, LESSON1, folder, book, jobs=2)
    assert again.count("unchanged") == 2 and again.count("graded") == 0
    (folder / "ben" / "shelf" / "__pycache__").mkdir()
    (folder / "ben" / "shelf" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"compiled")
    assert batch.run(COURSE, LESSON1, folder, book, jobs=2).count("unchanged") == 2
    app = folder / "ben" / "shelf" / "app.py"
    app.write_text(app.read_text().replace("Welcome to Shelf", "Welcome"))
    changed = batch.run(COURSE, LESSON1, folder, book, jobs=2)
    assert {outcome.submission.student: outcome.status for outcome in changed.outcomes} == {
        "ann": "unchanged", "ben": "graded"}
    with Gradebook(book) as grades:
        assert not grades.latest(LESSON1.id, ["ben"])[0].report.passed
    forced = batch.run(COURSE, LESSON1, folder, book, jobs=2, force=True)
    assert forced.count("graded") == 2
    stricter = batch.run(COURSE, LESSON1, folder, book, jobs=2, limits=Limits(check_seconds=5))
    assert stricter.count("graded") == 2, "other limits may change verdicts: everything is graded again"


def test_changing_a_check_changes_the_fingerprint(tmp_path):
    shutil.copytree(COURSE_ROOT / "lessons", tmp_path / "lessons")
    copy_course = Course.load(tmp_path)
    before = batch.checks_hash(copy_course, copy_course.find("lesson3"), Limits())
    checks = tmp_path / "lessons" / "lesson1" / "checks.py"
    checks.write_text(checks.read_text() + "\n# a comment is a change too\n")
    assert batch.checks_hash(copy_course, copy_course.find("lesson3"), Limits()) != before
    assert batch.checks_hash(copy_course, copy_course.find("lesson3"), Limits(memory_mb=512)) != before


def test_students_are_named_by_their_folder_or_file(tmp_path):
    for folder in ("ann", ".hidden", "__MACOSX"):
        (tmp_path / folder).mkdir()
    for file in ("ben.zip", "cat.tar.gz", "dan.ipynb", "readme.txt"):
        (tmp_path / file).write_bytes(b"")
    submissions, ignored = batch.discover(tmp_path)
    assert [(submission.student, submission.path.name) for submission in submissions] == [
        ("ann", "ann"), ("ben", "ben.zip"), ("cat", "cat.tar.gz"), ("dan", "dan.ipynb")]
    assert [path.name for path in ignored] == [".hidden", "__MACOSX", "readme.txt"]
    (tmp_path / "ann.zip").write_bytes(b"")
    with pytest.raises(batch.BatchError, match="two submissions for student 'ann': ann and ann.zip"):
        batch.discover(tmp_path)
    (tmp_path / "ann.zip").unlink()
    (tmp_path / "Ann.tar.gz").write_bytes(b"")
    with pytest.raises(batch.BatchError, match="two submissions for student 'Ann': Ann.tar.gz and ann"):
        batch.discover(tmp_path)


def test_the_content_hash_follows_what_is_graded(tmp_path):
    folder = copy(LESSON1.solution, tmp_path / "ann")
    before = digest(folder)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main")
    assert digest(folder) == before
    (folder / "shelf" / "notes.md").write_text("new file")
    assert digest(folder) != before
    (tmp_path / "ann.zip").write_bytes(b"PK")
    assert digest(tmp_path / "ann.zip") != digest(folder)


def test_a_worker_killed_from_outside_has_its_submission_graded_again_saying_so(tmp_path, running):
    folder = tmp_path / "submissions"
    for name in ("ann", "ben", "cat"):
        copy(LESSON1.solution, folder / name)

    def kill_the_worker(outcome: batch.Outcome) -> None:
        if outcome.submission.student == "ann":  # the worker dies as it is given ben's submission
            for pid in running("grader.classroom.worker"):
                if psutil.Process(pid).ppid() == os.getpid():
                    psutil.Process(pid).kill()

    book = tmp_path / "grades.sqlite"
    summary = batch.run(COURSE, LESSON1, folder, book, jobs=1, progress=kill_the_worker)
    outcomes = {outcome.submission.student: outcome for outcome in summary.outcomes}
    assert {student: outcome.status for student, outcome in outcomes.items()} == dict.fromkeys(outcomes, "graded")
    assert set(outcomes) == {"ann", "ben", "cat"}
    assert outcomes["ben"].note.startswith("graded again: the first time, the grader's worker process stopped")
    assert outcomes["ann"].note is None and outcomes["cat"].note is None
    with Gradebook(book) as grades:
        [entry] = grades.latest(LESSON1.id, ["ben"])
        assert entry.error is None and entry.report.score == 15
    again = batch.run(COURSE, LESSON1, folder, book, jobs=1)
    assert {outcome.submission.student: outcome.status for outcome in again.outcomes} == dict.fromkeys(
        ("ann", "ben", "cat"), "unchanged")


@pytest.mark.posix("a named pipe in the submission: Windows has none")
def test_a_submission_that_cannot_be_copied_fails_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "submissions"
    copy(LESSON1.solution, folder / "ann")
    copy(LESSON1.solution, folder / "ben")
    os.mkfifo(folder / "ben" / "shelf" / "pipe")  # reading it would wait for ever
    summary = batch.run(COURSE, LESSON1, folder, tmp_path / "grades.sqlite", jobs=1)
    ann, ben = summary.outcomes
    assert ann.status == "graded" and ann.passed
    assert ben.status == "graded" and not ben.passed
    with Gradebook(tmp_path / "grades.sqlite") as book:
        (entry,) = book.latest(LESSON1.id, ["ben"])
    assert "pipe is not a regular file" in entry.report.load_error["title"]


def test_a_notebook_that_never_ends_costs_the_batch_one_cell_limit(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    notebook = build(COURSE, LESSON, app=LESSON.solution)
    notebook.cells.append(nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(1)"))
    nbformat.write(notebook, folder / "hugo.ipynb")
    summary = batch.run(COURSE, LESSON, folder, folder / batch.GRADEBOOK, jobs=1, limits=Limits(cell_seconds=2))
    assert summary.count("error") == 0
    with Gradebook(folder / batch.GRADEBOOK) as book:
        (entry,) = book.latest(LESSON.id)
    assert "after 2 s, the time one cell may take" in entry.report.load_error["title"]
    assert entry.report.score == 0


@pytest.mark.posix("Ctrl-C is sent as SIGINT to the batch's process group, which Windows cannot do")
def test_an_interrupted_batch_keeps_what_it_graded_and_goes_on_from_there(tmp_path, running):
    folder = tmp_path / "submissions"
    for number in range(8):
        copy(LESSON1.solution, folder / f"student{number}")
    book = folder / batch.GRADEBOOK
    grades = tmp_path / "grades.csv"
    command = [sys.executable, "-m", "grader", "batch", LESSON1.id, str(folder), "--jobs", "1", "--csv", str(grades)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    graded = 0
    while graded < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        if book.exists():
            with sqlite3.connect(book) as db, contextlib.suppress(sqlite3.OperationalError):  # no table yet
                graded = db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole group
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out
    assert "Interrupted" in out
    assert not grades.exists(), "a CSV missing the submissions not graded yet would pass for the whole class"
    assert err.count("no CSV, feedback, results or summary written") == 1
    assert not running("grader.classroom.worker")
    with sqlite3.connect(book) as db:
        kept = db.execute("SELECT COUNT(*) FROM grades WHERE status = 'graded'").fetchone()[0]
    assert 2 <= kept < 8
    again = grade("batch", LESSON1.id, str(folder), "--csv", str(grades))
    assert again.returncode == 0, again.stderr
    assert f"{8 - kept} graded, {kept} unchanged, 0 not graded" in again.stdout
    assert len(grades.read_text().splitlines()) == 1 + 1 + 8, "the header, the max points, every student"


def test_batch_command_writes_every_output(tmp_path, classroom, graded):
    out = tmp_path / "out"
    out.mkdir()
    result = grade("batch", LESSON.id, str(classroom), "--csv", str(out / "grades.csv"), "--feedback",
                   str(out / "feedback"), "--format", "html", "--results", str(out / "results"), "--summary",
                   str(out / "summary.md"))
    assert result.returncode == 0, result.stderr
    assert "0 graded, 6 unchanged, 0 not graded" in result.stdout
    assert "What the class got wrong" in result.stdout
    assert sorted(path.name for path in (out / "feedback").iterdir()) == [
        f"{student}.html" for student in graded[0].students]
    assert (out / "results" / "alice" / "results.json").is_file()
    assert (out / "grades.csv").read_text().startswith("student,score,max_score,passed,")
    assert "class summary" in (out / "summary.md").read_text()


@pytest.mark.parametrize(("arguments", "message"), [
    (["batch", "lesson3", "{tmp}/nowhere"], "no such folder"),
    (["batch", "lesson3", "{tmp}/dup"], "two submissions for student 'ann'"),
    (["batch", "lesson99", "{tmp}/dup"], "unknown lesson"),
    (["batch", "lesson3", "{tmp}/one", "--feedback", "{tmp}/one/feedback"], "is inside"),
    (["batch", "lesson3", "{tmp}/one", "--gradebook", "{tmp}/not-a-gradebook.txt"], "cannot be used as a gradebook"),
])
def test_bad_batch_usage_is_one_line_and_exit_2(tmp_path, arguments, message):
    (tmp_path / "dup" / "ann").mkdir(parents=True)
    (tmp_path / "dup" / "ann.zip").write_bytes(b"")
    (tmp_path / "one" / "ann").mkdir(parents=True)
    (tmp_path / "not-a-gradebook.txt").write_text("some notes, not SQLite")
    result = grade(*(argument.replace("{tmp}", str(tmp_path)) for argument in arguments))
    assert result.returncode == 2
    assert result.stderr.startswith("grade: error:") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


def test_a_gradebook_from_another_version_is_refused(tmp_path):
    with sqlite3.connect(tmp_path / "old.sqlite") as db:
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(GradebookError, match="version 99"):
        Gradebook(tmp_path / "old.sqlite")
