"""``grade serve``: the course as a local web site, started as a student starts it and used over HTTP and in a
real browser (the system's headless Chromium, driven by Playwright)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.posix("`grade serve` is stopped with Ctrl-C (SIGINT), which Windows cannot send")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def site(workspace: Path) -> Iterator[str]:
    """The address of ``grade serve --port 0`` (any free port) for the workspace; stopped with Ctrl-C after."""
    server = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--port", "0"], cwd=workspace, text=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "GRADE_ROOT": str(workspace)})
    try:
        line = server.stdout.readline()
        assert line.startswith("The course is at http://127.0.0.1:"), line + server.stderr.read()
        yield line.split()[4]
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
        server.stdout.close()
        server.stderr.close()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _check(site: str, lesson: str, *, as_json: bool = True) -> tuple[int, dict]:
    request = urllib.request.Request(f"{site}api/lessons/{lesson}/check", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json" if as_json else "text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_lessons_are_pages_with_highlighted_code_and_progress(site):
    status, page = _get(site)  # the next lesson to do
    assert status == 200 and "<title>Lesson 1 · Hello, Shelf" in page
    assert '<div class="highlight">' in page and "```" not in page
    assert 'data-lesson="lesson12"' in page and "Check my work" in page
    assert _get(f"{site}lessons/99")[0] == 404
    assert "Lesson 3 · " in _get(f"{site}lessons/3")[1]
    assert ".highlight .k {" in _get(f"{site}highlight.css")[1]


def test_check_my_work_grades_with_the_engine_and_records_progress(sandbox_mechanism, site, workspace):
    status, result = _check(site, "lesson1")
    assert status == 200
    report = result["report"]
    assert report["lesson"] == "lesson1" and report["score"] == 0 and report["max_score"] == 15
    assert {"name", "score", "max_score", "status", "output", "hints"} <= set(report["tests"][0])
    assert 'data-passed="false"' in result["html"]
    assert result["progress"]["lessons"][0]["state"] == "failing"

    shutil.copytree(workspace / "solutions" / "lesson1", workspace / "exercises" / "lesson1", dirs_exist_ok=True)
    status, result = _check(site, "lesson1")
    assert status == 200 and result["report"]["passed"] and result["progress"]["next"] == "lesson2"
    assert json.loads((workspace / ".grade" / "progress.json").read_text())["lessons"]["lesson1"]["passed"]

    assert _check(site, "lesson1", as_json=False)[0] == 415  # a plain form post from another site is refused


def test_a_port_in_use_is_a_one_line_error(grade_in):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        result = grade_in("serve", "--port", str(taken.getsockname()[1]))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("grade: error: cannot listen on 127.0.0.1:") and result.stderr.count("\n") == 1


def test_the_same_lesson_is_not_graded_twice_at_once(site):
    together = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []

    def press() -> None:
        together.wait()
        answers.append(_check(site, "lesson1"))

    presses = [threading.Thread(target=press) for _ in range(2)]
    for each in presses:
        each.start()
    for each in presses:
        each.join()
    assert sorted(status for status, _ in answers) == [200, 409]
    refused = next(result for status, result in answers if status == 409)
    assert "already being checked" in refused["error"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
def test_in_a_browser_check_my_work_shows_the_verdicts(site, workspace):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{site}lessons/lesson1")
        expect(page.locator("article h1").first).to_contain_text("Lesson 1 · Hello, Shelf")

        page.get_by_role("button", name="Check my work").click()
        report = page.locator("#verdicts .shelf-report")
        expect(report).to_have_attribute("data-passed", "false", timeout=60_000)
        first = report.locator("li.fail").first
        expect(first).to_contain_text('GET / greets the reader with "Welcome to Shelf"')
        expect(first.locator("tr.hint")).to_be_visible()
        expect(page.locator('li[data-lesson="lesson1"]')).to_have_attribute("data-state", "failing")
        page.screenshot(path=ARTIFACTS / "serve-lesson1-failing.png", full_page=False)

        shutil.copytree(workspace / "solutions" / "lesson1", workspace / "exercises" / "lesson1", dirs_exist_ok=True)
        page.get_by_role("button", name="Check my work").click()
        expect(report).to_have_attribute("data-passed", "true", timeout=60_000)
        expect(report).to_contain_text("Score 15/15")
        expect(page.locator('li[data-lesson="lesson1"]')).to_have_attribute("data-state", "passed")
        expect(page.locator("#passed")).to_have_text("1")
        page.screenshot(path=ARTIFACTS / "serve-lesson1-passing.png", full_page=False)
        browser.close()
