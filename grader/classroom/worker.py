"""One process of a batch: a single pytest session that grades submission after submission.

``grade batch`` starts one per core as ``python -m grader.classroom.worker``, which connects back to
the batch (``sandbox.channel``). The first message says what to grade (course root, lesson, limits); every
later one names a submission, and the answer is its report. The checks are collected once; each
submission is unpacked (or its notebook run) and graded in a sandbox of its own, exactly as
``grade --instructor`` does. A submission that cannot be graded at all gets a report in which every
check fails, saying why.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

from ..course import Course, Lesson
from ..report import Report
from ..runner import CourseError, sandbox_for, session, warm_up_sandboxes
from ..sandbox import BadSubmission, Limits, NotebookFailed, Sandbox, protocol
from ..sandbox.channel import connect_back
from ..submission import opened
from .gradebook import report_to_dict


def grade_one(course: Course, lesson: Lesson, path: Path, limits: Limits, run: Callable[[Sandbox], Report]) -> Report:
    """Grade the submission at ``path`` (folder, archive or notebook) with the session's ``run``."""
    started = time.perf_counter()
    try:
        with opened(path, lesson.package, limits) as folder, sandbox_for(course, lesson, folder, limits) as sandbox:
            report = run(sandbox)
    except (BadSubmission, NotebookFailed) as error:
        reason = error.info if isinstance(error, NotebookFailed) else {
            "title": f"Not graded: {error}", "detail": "Hand in a folder, a .zip or .tar.gz archive, or a notebook."}
        sandbox = sandbox_for(course, lesson, path, limits)
        sandbox.refuse(reason)
        try:
            report = run(sandbox)
        finally:
            sandbox.close()
    report.seconds = time.perf_counter() - started
    return report


def main() -> None:
    # Ctrl-C in the terminal, or the batch ending us: stop grading, and let the sandboxes clean up.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    channel = connect_back()
    task = protocol.receive(channel)
    course = Course.load(Path(task["root"]))
    lesson = course.find(task["lesson"])
    limits = Limits(**task["limits"])
    warm_up_sandboxes(course, lesson)

    def serve(run: Callable[[Sandbox], Report]) -> None:
        while True:
            try:
                job = protocol.receive(channel)
            except protocol.ChannelClosed:
                return
            try:
                report = grade_one(course, lesson, Path(job["path"]), limits, run)
            except Exception as error:  # noqa: BLE001 - a failure of the grader costs this submission, not the batch
                protocol.send(channel, {"error": f"not graded: the grader failed on it ({type(error).__name__}: {error})"})
                continue
            protocol.send(channel, {"report": report_to_dict(report)})

    try:
        session(course, lesson, serve, include_hidden=True)
    except CourseError as error:
        protocol.send(channel, {"course_broken": str(error)})
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
