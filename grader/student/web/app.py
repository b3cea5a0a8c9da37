"""``grade serve``: the course as a local web site, itself a Flask app.

Every lesson is its Markdown rendered with highlighted code (``grader.rendering``), beside a sidebar
with the student's progress. "Check my work" posts to a JSON endpoint that grades
``exercises/<lesson>`` with the same sandboxed engine as ``grade`` (in a process of its own, see
``worker``) and answers with the report (the ``--json`` data) and its HTML (``grader.reports.html``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from ...course import Course, Lesson, UnknownLesson
from ...sandbox import Limits
from ..progress import LessonStatus, Progress, State, next_lesson
from ..rendering import highlight_css, markdown_to_html

WORKER_SECONDS = Limits.submission_seconds + 60  # the sandbox ends a submission before this


def _progress(statuses: list[LessonStatus]) -> dict[str, Any]:
    upcoming = next_lesson(statuses)
    return {"lessons": [status.to_json() for status in statuses],
            "passed": sum(status.state in (State.PASSED, State.CHANGED) for status in statuses),
            "next": upcoming.id if upcoming else None}


def _grade(root: Path, lesson: Lesson) -> tuple[dict[str, Any], int]:
    """Run the worker for one lesson: its JSON answer and the HTTP status to send it with."""
    try:
        done = subprocess.run([sys.executable, "-m", "grader.student.web.worker", str(root), lesson.id],
                              check=False, capture_output=True, encoding="utf-8", errors="replace",
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=WORKER_SECONDS)
        result = json.loads(done.stdout)
    except subprocess.TimeoutExpired:
        return {"error": f"grading took longer than {WORKER_SECONDS:g} s and was stopped"}, 500
    except ValueError:
        reason = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return {"error": f"the grader failed: {reason}"}, 500
    return result, 422 if "error" in result else 200


def create_app(root: Path) -> Flask:
    """The site for the course workspace at ``root``; the course is read afresh on every request."""
    app = Flask(__name__)
    busy: set[str] = set()  # lessons being graded now
    busy_lock = threading.Lock()

    def find(course: Course, name: str) -> Lesson:
        try:
            return course.find(name)
        except UnknownLesson:
            abort(404)

    @app.get("/")
    def index() -> Response:
        course = Course.load(root)
        upcoming = next_lesson(Progress.load(root).statuses(course)) or course.lessons[0]
        return redirect(url_for("lesson_page", lesson_id=upcoming.id))

    @app.get("/lessons/<lesson_id>")
    def lesson_page(lesson_id: str) -> Response | str:
        course = Course.load(root)
        lesson = find(course, lesson_id)
        if lesson.id != lesson_id:
            return redirect(url_for("lesson_page", lesson_id=lesson.id))
        statuses = Progress.load(root).statuses(course)
        body = Markup(markdown_to_html(lesson.text.read_text(encoding="utf-8")))  # the course's own text
        return render_template("lesson.html", course=course, lesson=lesson, body=body, statuses=statuses,
                               progress=_progress(statuses))

    @app.get("/highlight.css")
    def highlight() -> Response:
        return Response(highlight_css(), mimetype="text/css")

    @app.get("/api/progress")
    def progress() -> dict[str, Any]:
        course = Course.load(root)
        return _progress(Progress.load(root).statuses(course))

    @app.post("/api/lessons/<lesson_id>/check")
    def check(lesson_id: str) -> tuple[dict[str, Any], int]:
        if not request.is_json:  # a form on another site cannot send JSON here without the browser asking first
            return {"error": "send the request as JSON"}, 415
        course = Course.load(root)
        lesson = find(course, lesson_id)
        with busy_lock:
            if lesson.id in busy:
                return {"error": f"{lesson.id} is already being checked: wait for that check to finish"}, 409
            busy.add(lesson.id)
        try:
            result, status = _grade(root, lesson)
        finally:
            with busy_lock:
                busy.discard(lesson.id)
        return {**result, "progress": _progress(Progress.load(root).statuses(course))}, status

    @app.errorhandler(404)
    def missing(error: Exception) -> tuple[str, int]:
        course = Course.load(root)
        statuses = Progress.load(root).statuses(course)
        return render_template("missing.html", course=course, statuses=statuses, progress=_progress(statuses)), 404

    return app
