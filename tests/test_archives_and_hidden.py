"""Archives are unpacked safely; hidden checks run only for instructors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from grader.course import COURSE_ROOT, Course
from grader.runner import grade

SOLUTION = COURSE_ROOT / "solutions" / "lesson1"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], check=False, capture_output=True, text=True, timeout=120)


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> None:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, prefix + str(path.relative_to(folder)))


@pytest.mark.parametrize("prefix", ["", "student-42/"])
def test_a_zip_is_graded_like_a_folder(tmp_path, prefix):
    zip_folder(SOLUTION, tmp_path / "s.zip", prefix)
    result = run("lesson1", "--path", str(tmp_path / "s.zip"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["score"] == 15


def test_a_tarball_is_graded_like_a_folder(tmp_path):
    with tarfile.open(tmp_path / "s.tar.gz", "w:gz") as bundle:
        bundle.add(SOLUTION / "shelf", "shelf")
    assert run("lesson1", "--path", str(tmp_path / "s.tar.gz")).returncode == 0


def test_zip_slip_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as bundle:
        bundle.writestr("shelf/app.py", "from flask import Flask\napp = Flask(__name__)\n")
        bundle.writestr("../../escaped.txt", "gotcha")
    result = run("lesson1", "--path", str(tmp_path / "evil.zip"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "outside its folder" in result.stderr
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_tar_links_are_not_followed(tmp_path):
    with tarfile.open(tmp_path / "links.tar", "w") as bundle:
        bundle.add(SOLUTION / "shelf", "shelf")
        link = tarfile.TarInfo("shelf/secret")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        bundle.addfile(link)
    result = run("lesson1", "--path", str(tmp_path / "links.tar"), "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["score"] == 15


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04 truncated"])
def test_a_corrupt_archive_is_one_line_exit_2(tmp_path, content):
    (tmp_path / "broken.zip").write_bytes(content)
    result = run("lesson1", "--path", str(tmp_path / "broken.zip"))
    assert result.returncode == 2
    assert result.stderr.startswith("grade: error:") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_hidden_checks_run_only_for_instructors(tmp_path):
    shutil.copytree(COURSE_ROOT / "lessons", tmp_path / "lessons")
    checks = tmp_path / "lessons" / "lesson1" / "checks.py"
    checks.write_text(checks.read_text() + '''

@check(points=3, hidden=True)
def test_hidden_about_mentions_flask(client):
    """GET /about mentions Flask"""
    expect(client.get("/about")).status(200).contains("Flask")
''')
    course = Course.load(tmp_path)
    lesson = course.find("lesson1")
    student = grade(course, lesson, SOLUTION)
    instructor = grade(course, lesson, SOLUTION, include_hidden=True)
    assert student.hidden_not_run == 1 and student.max_score == 15
    assert instructor.hidden_not_run == 0 and instructor.max_score == 18
    hidden = [check for check in instructor.to_json()["tests"] if check["visibility"] == "hidden"]
    assert [check["name"] for check in hidden] == ["GET /about mentions Flask"]
