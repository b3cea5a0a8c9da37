"""Submissions that attack the grader get a clear verdict, no more points than an empty app, in
bounded time, and leave no process behind: with either sandbox, but for what only Linux's can do."""

from __future__ import annotations

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from grader.course import Course
from grader.runner import grade
from grader.sandbox import Limits

COURSE = Course.load()
LESSON1 = COURSE.find("lesson1")
HOSTILE = Path(__file__).parent / "hostile"
LIMITS = Limits(check_seconds=2, submission_seconds=30, memory_mb=512)
pytestmark = pytest.mark.usefixtures("sandbox_mechanism")


@pytest.fixture(scope="module")
def empty_app_score(tmp_path_factory) -> float:
    folder = tmp_path_factory.mktemp("empty") / "shelf"
    folder.mkdir()
    (folder / "__init__.py").touch()
    (folder / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    return grade(COURSE, LESSON1, folder.parent, limits=LIMITS).score


@pytest.fixture
def grade_hostile(tmp_path: Path, running):
    def run(name: str, files: dict[str, str] | None = None):
        """``files``: more files for the copy, by path inside it (what the attack is aimed at)."""
        submission = tmp_path / name
        shutil.copytree(HOSTILE / name, submission)
        for path, text in (files or {}).items():
            (submission / path).write_text(text)
        started = time.monotonic()
        report = grade(COURSE, LESSON1, submission, limits=LIMITS)
        assert time.monotonic() - started < 60
        assert not running("987654")
        return report

    return run


def what_it_saw(submission: Path, hidden: list[Path]) -> tuple[dict, Path]:
    """Start ``submission`` in a sandbox that hides ``hidden``, and GET /: what its app reports it saw, and
    the sandbox's folder."""
    from grader.sandbox import Sandbox

    with Sandbox(submission, LESSON1.app, {}, LIMITS, [], hidden) as sandbox:
        assert sandbox.load_error is None
        worker = sandbox.spawn()
        seen = json.loads(worker.call("GET /", "request", client=0, method="GET", path="/", options={})["body"])
        worker.close()
    return seen, sandbox.workdir


def graded_in_batch(folder: Path, book: Path, jobs: int):
    """Grade ``folder``'s submissions as ``grade batch`` does: how the batch went, and each student's report."""
    from grader.classroom import batch
    from grader.classroom.gradebook import Gradebook

    summary = batch.run(COURSE, LESSON1, folder, book, jobs=jobs, limits=LIMITS)
    with Gradebook(book) as gradebook:
        return summary, {entry.student: entry.report for entry in gradebook.latest(LESSON1.id)}


@pytest.mark.parametrize(("name", "verdict"), [
    ("exits_zero_early", "died while it was being imported"),
    ("patches_test_client", "changes the grader's tools"),
    ("patches_probes", "changes the grader's tools"),
])
def test_attacks_at_import_get_a_load_verdict(name, verdict, grade_hostile, empty_app_score):
    report = grade_hostile(name)
    assert verdict in json.dumps(report.load_error)
    assert report.score <= empty_app_score
    assert not report.passed


def test_printing_a_fake_result_changes_nothing(tmp_path, empty_app_score):
    shutil.copytree(HOSTILE / "prints_fake_results", tmp_path / "s")
    result = subprocess.run([sys.executable, "-m", "grader", "lesson1", "--path", str(tmp_path / "s"), "--json"], check=False,
                            capture_output=True, text=True, timeout=60)
    data = json.loads(result.stdout)  # still exactly one JSON object: the grader's
    assert data["score"] <= empty_app_score
    assert result.returncode == 1


def test_terminal_codes_from_a_submission_are_shown_not_obeyed(tmp_path):
    shutil.copytree(HOSTILE / "writes_terminal_codes", tmp_path / "s")
    result = subprocess.run([sys.executable, "-m", "grader", "lesson1", "--path", str(tmp_path / "s")], check=False,
                            capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "300"})
    assert result.returncode == 1
    shown = result.stdout + result.stderr
    assert "\x1b" not in shown and "\r" not in shown, "a control code reached the terminal"
    assert "\\x1b[2J" in shown  # written as an escape, so the student sees what their code printed


def test_patching_pytest_inside_the_submission_changes_nothing(grade_hostile, empty_app_score):
    report = grade_hostile("patches_pytest")
    assert report.load_error is None
    assert report.score <= empty_app_score
    assert all(not check.passed for check in report.checks)


def test_patching_the_response_at_request_time_is_caught(grade_hostile, empty_app_score):
    report = grade_hostile("patches_response_at_request")
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    assert index.failure["error"]["type"] == "Tampering"
    assert report.score <= empty_app_score


def test_memory_hog_is_stopped_with_a_verdict_naming_memory(grade_hostile, empty_app_score):
    report = grade_hostile("eats_memory")
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    assert "memory" in json.dumps(index.failure)
    assert report.score <= empty_app_score


@pytest.mark.linux_sandbox("only the Linux sandbox's zygote takes requests for workers")
def test_a_thread_stealing_the_zygote_s_requests_costs_the_checks_not_a_hang(grade_hostile, empty_app_score):
    report = grade_hostile("steals_the_channel")
    assert report.score <= empty_app_score and not report.passed


def test_detached_processes_are_killed(grade_hostile, empty_app_score):
    report = grade_hostile("escapes_with_setsid")
    assert report.score <= empty_app_score


@pytest.mark.parametrize(("name", "limit"), [
    ("ignores_sigterm", "did not finish within 2 s"),
    pytest.param("holds_the_channel", "did not finish within 2 s",  # an orphan keeps the grader's channel open
                 marks=pytest.mark.posix("the attack lists its open files in /dev/fd")),
    pytest.param("sends_a_deep_reply", "a reply it cannot read",  # a forged reply on the grader's channel
                 marks=pytest.mark.linux_sandbox("the attack finds the worker's socket in /proc")),
])
def test_an_attack_in_a_view_fails_that_check_naming_the_limit(name, limit, grade_hostile, empty_app_score):
    report = grade_hostile(name)
    index = next(check for check in report.checks if check.id == "lesson1::test_index")
    assert limit in index.failure["limit"]
    assert report.score <= empty_app_score


def test_the_original_submission_is_never_modified(tmp_path):
    shutil.copytree(HOSTILE / "rewrites_itself", tmp_path / "s")
    before = {p.name: p.read_bytes() for p in (tmp_path / "s" / "shelf").iterdir()}
    grade(COURSE, LESSON1, tmp_path / "s", limits=LIMITS)
    after = {p.name: p.read_bytes() for p in (tmp_path / "s" / "shelf").iterdir()}
    assert after == before


def test_no_process_is_left_behind():
    assert psutil.Process().children() == []


@pytest.mark.confined("the test is what confinement does: the course hidden, the file system read-only")
def test_course_is_hidden_and_read_only_for_the_submission():
    seen, _ = what_it_saw(HOSTILE / "snoops_and_writes", [COURSE.root / "lessons", COURSE.root / "solutions"])
    assert seen["solution"].startswith("refused") and seen["checks"].startswith("refused")
    assert seen["write"].startswith("refused")
    assert not (COURSE.root / "grader" / "planted.py").exists()


@pytest.mark.linux_sandbox("the attack reads its output file's name from /proc")
@pytest.mark.parametrize("attack", ["link", "fifo"])
def test_an_output_file_swapped_for_a_link_or_fifo_is_not_opened(attack, grade_hostile, tmp_path, empty_app_score):
    secret = tmp_path / "secret.txt"
    secret.write_text("the instructor's secret")
    secret.chmod(0o600)
    report = grade_hostile("swaps_its_output", {"shelf/attack.txt": f"{attack} {secret}"})
    assert "secret" not in json.dumps(report.to_json())
    assert report.score <= empty_app_score


@pytest.mark.confined("the test is what confinement hides")
def test_nothing_outside_the_copy_is_in_reach(tmp_path, monkeypatch):
    from grader.sandbox.capabilities import Mechanism, own_processes_given
    from grader.sandbox.confine import SYSTEM, needed

    monkeypatch.setenv("INSTRUCTOR_TOKEN", "s3cret")
    server = socket.create_server(("127.0.0.1", 0))
    # Where a warm grade process listens when there is no XDG_RUNTIME_DIR (which is in /run, not in the sandbox's root).
    private = Path(tempfile.gettempdir()) / f"grade-{os.getuid()}"
    private.mkdir(mode=0o700, exist_ok=True)
    warm, address = socket.socket(socket.AF_UNIX), private / f"grade-warm-test-{os.getpid()}.sock"
    warm.bind(str(address))
    warm.listen()
    shutil.copytree(HOSTILE / "reaches_out", tmp_path / "s")
    (tmp_path / "s" / "shelf" / "port.txt").write_text(str(server.getsockname()[1]))
    (tmp_path / "s" / "shelf" / "warm.txt").write_text(str(address))
    try:
        with server, warm:
            seen, workdir = what_it_saw(tmp_path / "s", [COURSE.root])
    finally:
        address.unlink()
    assert seen["git"].startswith("refused") and seen["exercises"].startswith("refused")
    assert seen["unmounted"].startswith("refused")
    assert seen["grader"].startswith("refused")
    assert seen["secret"] is None
    assert seen["warm"].startswith("refused")
    assert seen["shm"] == f"got: [{workdir.name!r}]"
    on_the_way_to_python = {part for path in needed() for part in Path(path).parts}
    assert set(seen["top"]) <= on_the_way_to_python | {Path(path).parts[1] for path in (*SYSTEM, str(workdir))}
    for folder in ("root", "home", "tmp"):
        if seen[folder].startswith("got"):
            assert set(ast.literal_eval(seen[folder][5:])) <= on_the_way_to_python, seen[folder]
    if os.geteuid() == 0:  # however Python is installed: a user of the sandbox's own, never root; no network
        assert seen["uid"] >= 1_500_000_000 and seen["server"].startswith("refused")
    if own_processes_given(Mechanism.LINUX):  # numbered anew, from 1: none of the machine's (nor the grader)
        assert seen["processes"] and max(seen["processes"]) < 100 and os.getpid() not in seen["processes"]


@pytest.mark.confined("the sandbox's file system of its own is part of its confinement")
def test_writing_without_end_fills_only_the_sandbox_s_own_file_system():
    seen, workdir = what_it_saw(HOSTILE / "fills_its_folder", [COURSE.root])
    assert 0 < seen["copy"] + seen["temporary"] <= LIMITS.folder_mb  # not the 600 MB it tried, in the machine's memory
    assert seen["shm"] <= 16
    assert not workdir.exists()


@pytest.mark.confined("only a sandbox's own processes, or its own user, keep the attack inside it")
def test_killing_everyone_or_every_process_slot_hurts_no_one_else_in_a_batch(tmp_path, running, empty_app_score):
    from grader.sandbox.capabilities import Mechanism, own_processes_given

    if not own_processes_given(Mechanism.LINUX) and os.geteuid() != 0:
        pytest.skip("no PID namespace here, and as a user the attack would reach the user's other processes")
    folder = tmp_path / "submissions"
    for student in ("ann", "ben"):
        shutil.copytree(LESSON1.solution, folder / student)
    for attack in ("kills_everyone", "exhausts_processes"):
        shutil.copytree(HOSTILE / attack, folder / attack)
    summary, reports = graded_in_batch(folder, tmp_path / "grades.sqlite", jobs=2)
    scores = {student: report.score for student, report in reports.items()}
    assert summary.count("graded") == 4
    assert scores["ann"] == scores["ben"] == 15
    assert scores["kills_everyone"] <= empty_app_score and scores["exhausts_processes"] <= empty_app_score
    assert not running("987654")


@pytest.mark.posix("the grader is killed with SIGKILL")
def test_what_a_killed_grader_left_behind_is_removed_at_the_next_start(tmp_path):
    from grader.sandbox.folders import new_folder

    grader = subprocess.run([sys.executable, "-c", "import os, signal\nfrom grader.sandbox.folders import new_folder\n"
                             f"print(new_folder(where={str(tmp_path)!r}))\nos.kill(os.getpid(), signal.SIGKILL)"],
                            capture_output=True, text=True, check=False, timeout=60)
    left = Path(grader.stdout.strip())
    assert left.is_dir()
    (tmp_path / "grade-not-ours").mkdir()
    new_folder(where=str(tmp_path))
    assert not left.exists() and (tmp_path / "grade-not-ours").exists()


def test_a_huge_sparse_file_is_refused_without_being_read(tmp_path, empty_app_score):
    from grader.submission import digest

    folder = tmp_path / "submissions"
    shutil.copytree(LESSON1.solution, folder / "ann")
    with open(folder / "ann" / "shelf" / "data.bin", "wb") as sparse:
        sparse.truncate(64 * 2**30)
    started = time.monotonic()
    before = digest(folder / "ann")
    _, reports = graded_in_batch(folder, tmp_path / "grades.sqlite", jobs=1)
    assert time.monotonic() - started < 60
    assert "larger than" in json.dumps(reports["ann"].load_error) and reports["ann"].score <= empty_app_score
    with open(folder / "ann" / "shelf" / "data.bin", "ab") as sparse:
        sparse.truncate(65 * 2**30)
    assert digest(folder / "ann") != before
