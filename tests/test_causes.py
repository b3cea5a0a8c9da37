"""Feedback follows the cause: one mistake that fails several checks the same way is explained once, with
the hint that names it, and the earlier lessons' checks it broke are one entry; text shows apostrophes
as they are."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring import mutants
from grader.causes import causes, entries, first_cause, mistake
from grader.classroom.feedback import feedback_markdown
from grader.classroom.gradebook import Entry
from grader.course import Course
from grader.expectations import quote
from grader.reports.gradescope import gradescope_results
from grader.reports.html import report_html
from grader.runner import grade as grade_folder

COURSE = Course.load()
LESSON3 = COURSE.find("lesson3")
FORGOT_404 = "404 handler renders the template but forgets the 404 status"
ERROR_HANDLER_HINT = "Register one handler for every HTTP error"
TEMPLATES_HINT = "Give every page its own template that extends base.html"


def grade(*args: str, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300,
                          check=False, **options)


@pytest.fixture(scope="module")
def forgot_404(tmp_path_factory) -> Path:
    """Lesson 3's solution whose 404 page answers 200: one lesson 3 check and five earlier ones fail for it."""
    [mutant] = [mutant for mutant in mutants(LESSON3) if mutant.name == FORGOT_404]
    folder = tmp_path_factory.mktemp("causes") / "forgot_404"
    mutant.apply(LESSON3.solution, folder)
    return folder


@pytest.fixture(scope="module")
def report(forgot_404):
    return grade_folder(COURSE, LESSON3, forgot_404)


def test_failures_with_the_same_mistake_and_response_are_one_cause(report):
    [cause] = causes(report)
    assert cause.mistake == "status 200 instead of 404"
    assert len(cause.checks) == 6 and len(cause.earlier) == 5
    assert [check.id for check in cause.own] == ["lesson3::test_every_page_uses_the_layout"]
    assert cause.named and cause.lead.id == "lesson2::test_html_not_found_page", "its hint is about the status 404"
    assert first_cause(report) is not None and first_cause(report).lead is cause.lead


def test_the_hint_shown_is_the_one_for_the_cause_and_earlier_failures_collapse(report):
    own, earlier = entries(report)
    [failing] = [entry for entry in own if not entry.check.passed]
    rows = dict(failing.rows)
    assert rows["hint"].startswith(ERROR_HANDLER_HINT) and TEMPLATES_HINT not in json.dumps(failing.rows)
    assert rows["cause"].startswith("5 other checks fail the same way (status 200 instead of 404)")
    [entry] = earlier
    assert entry.title == "5 checks from earlier lessons fail the same way: status 200 instead of 404"
    assert len(entry.checks) == 5 and entry.rows == [("cause", f"the same failure as “{failing.check.title}” above")]


def test_every_front_end_shows_the_cause_once(report, forgot_404):
    terminal = grade(LESSON3.id, "--path", str(forgot_404))
    assert terminal.returncode == 1
    out = " ".join(terminal.stdout.split())
    assert "Earlier lessons: 5 of" in out and "5 checks from earlier lessons fail the same way" in out
    assert out.count(ERROR_HANDLER_HINT) == 1 and TEMPLATES_HINT not in out
    assert "Next: fix an earlier lesson's check, “GET /nope shows Shelf's own HTML 404 page" in out
    page = report_html(COURSE, LESSON3, report)
    assert page.count("5 checks from earlier lessons fail the same way") == 1 and TEMPLATES_HINT not in page
    markdown = feedback_markdown(LESSON3, Entry("ann", LESSON3.id, "ann", "", "", "today", report))
    assert "- ✗ 5 checks from earlier lessons fail the same way: status 200 instead of 404" in markdown
    assert markdown.count(ERROR_HANDLER_HINT) == 1
    tests = {test["name"]: test for test in gradescope_results(report)["tests"]}
    own = tests["/items/, /items/2, /about and the 404 page each render their own template, which extends base.html"]
    assert ERROR_HANDLER_HINT in own["output"] and TEMPLATES_HINT not in own["output"]


def test_grade_hint_gives_the_hint_for_the_cause(grade_in, workspace, forgot_404):
    shutil.rmtree(workspace / "exercises" / "lesson3")
    shutil.copytree(forgot_404, workspace / "exercises" / "lesson3")
    result = grade_in("hint", "lesson3")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Check to fix first: GET /nope shows Shelf's own HTML 404 page" in out and ERROR_HANDLER_HINT in out


def test_apostrophes_show_as_they_are(report, forgot_404):
    outputs = [grade(LESSON3.id, "--path", str(forgot_404)).stdout,
               feedback_markdown(LESSON3, Entry("ann", LESSON3.id, "ann", "", "", "today", report)),
               json.dumps(gradescope_results(report), ensure_ascii=False)]
    for text in outputs:
        assert "couldn't find that page" in " ".join(text.split()) and "couldn\\'t" not in text


@pytest.mark.parametrize(("value", "shown"), [
    ("plain", "'plain'"), ("Ada's", '"Ada\'s"'), ('<a href="/">couldn\'t</a>', '\'<a href="/">couldn\'t</a>\''),
    ("a\nb", "'a\\nb'"), ("back\\slash'\"", "'back\\\\slash'\"'"), (3, "3"), ({"b", "a"}, "{'a', 'b'}"),
    (set(), "set()"),
])
def test_quote_is_repr_without_escaped_apostrophes(value, shown):
    assert quote(value) == shown


def test_a_set_is_shown_in_one_order_whatever_the_process():
    code = "from grader.expectations import quote; print(quote({'GET', 'HEAD', 'OPTIONS', 'POST'}))"
    shown = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3", "4")}
    assert shown == {"{'GET', 'HEAD', 'OPTIONS', 'POST'}\n"}, "or the class summary splits one mistake in two"


@pytest.mark.parametrize(("failure", "kind"), [
    ({"expected": "status 404", "got": "200 OK · text/html · body: '<h1>Not here</h1>'"}, "status 200 instead of 404"),
    ({"expected": "status 404", "got": "200 OK · text/html · body: '<h1>Gone</h1>'"}, "status 200 instead of 404"),
    ({"sent": "GET /", "error": {"type": "KeyError", "message": "'x'", "frames": []}}, "raised KeyError"),
    ({"load_error": {"title": "Syntax error in shelf/app.py"}}, "did not load: Syntax error in shelf/app.py"),
    ({"expected": "the page to contain 'Home'", "got": "200 OK · <li>b</li><li>a</li>"},
     "expected the page to contain 'Home'"),
    ({"limit": "took longer than 2 s", "expected": "took longer than 2 s"}, "took longer than 2 s"),
])
def test_a_mistake_is_named_from_the_failure_never_from_the_page(failure, kind):
    assert mistake(failure) == kind
