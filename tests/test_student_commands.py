"""The student's commands, run as a student runs them: ``grade`` in a subprocess, in a clone of the course.

Progress (``grade``, ``grade progress``), stepped hints, reset with a backup, the gated solution, and
``grade doctor``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.course import Course


def _pass_lesson1(workspace: Path, grade_in) -> None:
    shutil.copytree(workspace / "solutions" / "lesson1", workspace / "exercises" / "lesson1", dirs_exist_ok=True)
    assert grade_in("lesson1").returncode == 0


def _progress_file(workspace: Path) -> dict:
    return json.loads((workspace / ".grade" / "progress.json").read_text(encoding="utf-8"))


def _one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error:"), result.stderr
    return lines[0]


def test_no_arguments_shows_the_progress_table_and_the_next_lesson(grade_in, workspace):
    result = grade_in()
    assert result.returncode == 0, result.stderr
    lessons = Course.load(workspace).lessons
    for lesson in lessons:
        assert lesson.id in result.stdout and lesson.title in result.stdout
    assert f"] 0/{len(lessons)} lessons pass" in result.stdout
    assert "Next: lesson 1 · " in result.stdout
    assert grade_in("progress").stdout == result.stdout


def test_progress_records_passes_changes_and_survives_a_course_update(grade_in, workspace, sandbox_mechanism):
    assert grade_in("lesson1").returncode == 1
    assert "✗ lesson1" in grade_in().stdout
    _pass_lesson1(workspace, grade_in)
    record = _progress_file(workspace)
    assert record["format"] == 1
    assert record["lessons"]["lesson1"]["passed"] is True and record["lessons"]["lesson1"]["attempts"] == 2
    shown = grade_in().stdout
    assert "✓ lesson1" in shown and "passed 20" in shown and "Next: lesson 2 · " in shown

    assert grade_in("lesson1", "--solution").returncode == 0  # not the student's files: not recorded
    assert grade_in("lesson2", "--path", str(workspace / "solutions" / "lesson2")).returncode == 0
    assert _progress_file(workspace) == record

    app = workspace / "exercises" / "lesson1" / "shelf" / "app.py"
    app.write_text(app.read_text() + "\n# tidied up\n")
    assert "changed since passing" in grade_in().stdout

    toml = workspace / "lessons" / "course.toml"  # a course update puts a new lesson first
    title, rest = toml.read_text().split("\n[[lessons]]", 1)
    toml.write_text(f'{title}\n[[lessons]]\nid = "welcome"\ntitle = "Welcome"\napp = "shelf.app:app"\n'
                    f"\n[[lessons]]{rest}")
    shown = grade_in().stdout
    assert "· welcome" in shown and "● lesson1" in shown and "Next: lesson 1 · Welcome" in shown


def test_an_unreadable_progress_file_is_kept_aside_not_lost(grade_in, workspace):
    state = workspace / ".grade"
    state.mkdir()
    (state / "progress.json").write_text("{not json")
    result = grade_in()
    assert result.returncode == 0
    assert "could not be read" in result.stderr and "kept it as progress.unreadable-" in result.stderr
    (kept,) = state.glob("progress.unreadable-*.json")
    assert kept.read_text() == "{not json"
    assert grade_in("lesson1").returncode == 1
    assert _progress_file(workspace)["lessons"]["lesson1"]["attempts"] == 1


def test_a_progress_file_from_a_newer_grader_is_not_overwritten(grade_in, workspace):
    newer = '{"format": 99, "lessons": {"lesson1": {"checked_at": "2030-01-01T00:00:00+00:00", "future": 1}}}'
    (workspace / ".grade").mkdir()
    (workspace / ".grade" / "progress.json").write_text(newer)
    result = grade_in("lesson1")
    assert result.returncode == 1
    assert "newer grader" in result.stderr
    assert (workspace / ".grade" / "progress.json").read_text() == newer


def test_hints_come_one_step_at_a_time_and_are_remembered(grade_in, workspace, sandbox_mechanism):
    first = grade_in("hint", "lesson3")
    assert first.returncode == 0, first.stderr
    assert "Check to fix first:" in first.stdout
    assert "hint 2/3" in first.stdout and "hint 3/3" not in first.stdout
    assert "again gives a more specific hint" in first.stdout
    second = grade_in("hint", "3")
    assert "hint 3/3" in second.stdout and "last hint" in second.stdout
    assert list(_progress_file(workspace)["lessons"]["lesson3"]["hints"].values()) == [3]
    assert "hint 3/3" in grade_in("hint", "lesson3").stdout  # no further step, nothing lost


def test_hint_when_the_lesson_passes(grade_in, workspace):
    _pass_lesson1(workspace, grade_in)
    result = grade_in("hint", "lesson1")
    assert result.returncode == 0 and "no hint needed" in result.stdout


def test_reset_restores_the_starter_after_a_backup(grade_in, workspace):
    exercise = workspace / "exercises" / "lesson1"
    starter = {path.relative_to(exercise): path.read_bytes() for path in exercise.rglob("*") if path.is_file()}
    app = exercise / "shelf" / "app.py"
    app.write_text("my work\n")
    (exercise / "shelf" / "notes.txt").write_text("my notes\n")

    declined = grade_in("reset", "lesson1", answer="n\n")
    assert declined.returncode == 1 and "Nothing changed" in declined.stdout
    assert app.read_text() == "my work\n"

    result = grade_in("reset", "lesson1", "--yes")
    assert result.returncode == 0, result.stderr
    (backup,) = (workspace / ".grade" / "backups").iterdir()
    assert backup.name.startswith("lesson1-")
    assert f".grade/backups/{backup.name}/" in result.stdout
    assert (backup / "shelf" / "app.py").read_text() == "my work\n"
    assert (backup / "shelf" / "notes.txt").read_text() == "my notes\n"
    assert {path.relative_to(exercise): path.read_bytes() for path in exercise.rglob("*") if path.is_file()} == starter

    again = grade_in("reset", "lesson1", answer="y\n")
    assert again.returncode == 0 and "already the starter" in again.stdout
    assert len(list((workspace / ".grade" / "backups").iterdir())) == 1


def test_reset_without_the_course_history_changes_nothing(grade_in, workspace):
    shutil.rmtree(workspace / ".git")
    app = workspace / "exercises" / "lesson1" / "shelf" / "app.py"
    app.write_text("my work\n")
    result = grade_in("reset", "lesson1", "--yes")
    assert result.returncode == 1
    assert "git history" in _one_line_error(result)
    assert app.read_text() == "my work\n"
    assert not (workspace / ".grade" / "backups").exists()


def test_the_solution_is_shown_only_after_passing_or_confirming(grade_in, workspace):
    refused = grade_in("solution", "lesson1", answer="n\n")
    assert refused.returncode == 1 and "Not shown." in refused.stdout and "+++" not in refused.stdout
    assert grade_in("solution", "lesson1").returncode == 1  # no answer at all is a no

    confirmed = grade_in("solution", "lesson1", answer="y\n")
    assert confirmed.returncode == 0
    assert "+++ solutions/lesson1/shelf/app.py" in confirmed.stdout
    assert '+@app.get("/")' in confirmed.stdout

    _pass_lesson1(workspace, grade_in)
    unlocked = grade_in("solution", "lesson1")
    assert unlocked.returncode == 0 and "[y/N]" not in unlocked.stdout
    assert "Your files already match it." in unlocked.stdout


def test_doctor_says_what_is_wrong_and_how_to_fix_it(grade_in, workspace):
    healthy = grade_in("doctor")
    assert healthy.returncode == 0, healthy.stdout
    assert "✓ Python 3." in healthy.stdout and "✓ flask " in healthy.stdout
    assert "Everything is ready." in healthy.stdout

    shutil.rmtree(workspace / "exercises" / "lesson2")
    (workspace / "lessons" / "lesson3" / "checks.py").write_text("def broken(:\n")
    broken = grade_in("doctor")
    assert broken.returncode == 1
    out = " ".join(broken.stdout.split())
    assert "✗ exercises/lesson2/ has no shelf package fix: grade reset lesson2" in out
    assert "✗ lessons/lesson3/checks.py does not compile" in out
    assert "2 problem(s) to fix." in out


@pytest.mark.parametrize("args", [["reset", "lesson99"], ["solution"], ["hint", "lessonX"],
                                  ["lesson1", "--poll"], ["lesson1", "--watch", "--json"],
                                  ["serve", "--port", "70000"]])
def test_bad_usage_is_one_line_and_exit_2(grade_in, args):
    result = grade_in(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    _one_line_error(result)
    assert result.stdout == ""


def test_a_folder_that_is_not_a_workspace_is_a_usage_error(grade_in, tmp_path):
    result = grade_in("--root", str(tmp_path / "nowhere"), "progress")
    assert result.returncode == 2
    assert "is not a course workspace" in _one_line_error(result)
