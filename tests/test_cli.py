"""The ``grade`` command, run as a student runs it: in a subprocess, reading exit codes and output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from grader.course import COURSE_ROOT


def grade(*args: str, cwd=COURSE_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], check=False, capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_solution_passes_with_exit_code_0():
    result = grade("lesson1", "--solution")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓" in result.stdout and "✗" not in result.stdout
    assert "Score 15/15" in result.stdout


def test_starter_fails_with_exit_code_1_and_explains():
    result = grade("lesson1")
    assert result.returncode == 1
    out = result.stdout
    assert "✗ GET / greets the reader" in out
    for label in ("sent", "got", "expected", "hint"):
        assert label in out
    assert "Next: fix" in out
    assert "Traceback" not in out + result.stderr


@pytest.mark.parametrize("name", ["lesson1", "lesson01", "1", "Lesson1"])
def test_lesson_names(name):
    result = grade(name, "--solution", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["lesson"] == "lesson1"


def test_json_is_one_object_shaped_like_gradescope():
    result = grade("lesson1", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)  # nothing else on stdout, or this fails
    assert {"score", "max_score", "tests"} <= set(data)
    assert data["score"] < data["max_score"]
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output"} <= set(test)
        assert test["status"] in ("passed", "failed")
        if test["status"] == "failed":
            assert "expected" in test["output"]


@pytest.mark.parametrize("args", [["lesson99"], ["lessonX"], ["lesson1", "--path", "does/not/exist"],
                                  ["lesson1", "--bogus"], ["lesson1", "--solution", "--path", "."]])
def test_bad_usage_is_one_line_and_exit_2(args):
    result = grade(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error:"), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["list"], ["--list"], []])
def test_list_shows_every_lesson(args, course):
    result = grade(*args)
    assert result.returncode == 0
    for lesson in course.lessons:
        assert lesson.id in result.stdout and lesson.title in result.stdout


def test_path_grades_another_folder(tmp_path, course):
    shutil.copytree(course.find("1").solution, tmp_path / "mine")
    result = grade("lesson1", "--path", str(tmp_path / "mine"), "--json", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["score"] == 15


def test_summary_says_an_earlier_lessons_check_fails_the_lesson(tmp_path, course):
    """Lesson 2's own checks pass but lesson 1's /about broke: the summary must not just say "8 of 8 checks pass"."""
    shutil.copytree(course.find("2").solution, tmp_path / "mine")
    app = tmp_path / "mine" / "shelf" / "app.py"
    app.write_text(app.read_text().replace('@app.get("/about")', '@app.get("/about/")'))
    result = grade("lesson2", "--path", str(tmp_path / "mine"), cwd=tmp_path)
    assert result.returncode == 1
    summary = " ".join(result.stdout.split())
    assert "8 of 8 checks pass" not in summary
    assert ("8 of 8 of this lesson's checks pass, but the lesson fails: "
            "a check from an earlier lesson no longer passes") in summary


@pytest.mark.posix("Ctrl-C is SIGINT, and the grader forks, only on POSIX")
def test_ctrl_c_while_the_grader_forks_is_not_lost():
    # Python runs its at-fork handlers (threading's, logging's) right after fork(), and an exception raised in
    # them, such as the KeyboardInterrupt of a Ctrl-C that came just then, is printed and ignored: grading
    # would go on. The grader forks with those signals held, and takes them once it knows its child.
    import os
    import signal

    from grader.sandbox.processes import ending_signals_held

    now: list[bool] = []
    os.register_at_fork(after_in_parent=lambda: now and os.kill(os.getpid(), signal.SIGINT))
    children = []
    with pytest.raises(KeyboardInterrupt):
        with ending_signals_held():
            now.append(True)
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            now.clear()
            children.append(pid)
    assert children and os.waitpid(children[0], 0)[0] == children[0]
