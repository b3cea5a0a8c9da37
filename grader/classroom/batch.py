"""Grade a whole class: every submission in a folder, in parallel, into the gradebook.

A folder holds one submission per student: a sub-folder, an archive or a notebook, named after the
student. Submissions are graded by worker processes (``worker``), one per core, each as
isolated as a single ``grade --instructor``. Every result is committed to the gradebook as soon
as it arrives, so an interrupted batch keeps what it graded, and a batch run again skips every
submission whose content (and checks) did not change since it was graded.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..course import Course, Lesson
from ..report import Report
from ..runner import CourseError
from ..sandbox import MEMORY_FOLDER, Limits, Sandbox, become_subreaper, kill_orphans, protocol
from ..sandbox.archives import ARCHIVES
from ..sandbox.channel import Listener
from ..sandbox.folders import new_folder
from ..sandbox.processes import kill_tagged, tagged
from ..submission import digest
from .gradebook import Gradebook, report_from_dict

NOTEBOOK = ".ipynb"
GRADEBOOK = "gradebook.sqlite"
# A worker that says nothing for this long past a submission's own time limit is stuck: it is
# killed and the submission recorded as not graded. (A notebook runs, then is graded: twice the limit.)
GRACE_SECONDS = 30.0


class BatchError(Exception):
    """The batch cannot start (no such folder, two submissions for one student...): one line says why."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


@dataclass
class Outcome:
    """What became of one submission in this batch (its report is in the gradebook, not kept in memory)."""

    submission: Submission
    status: str  # "graded", "unchanged" (graded before, skipped) or "error" (the grader failed on it)
    passed: bool | None = None
    error: str | None = None
    seconds: float = 0.0
    note: str | None = None  # graded a second time: why (its first grading was cut short by the grader's worker dying)


@dataclass
class Summary:
    students: list[str] = field(default_factory=list)  # every student with a submission in the folder
    outcomes: list[Outcome] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)


def student_of(path: Path) -> str | None:
    """The student a folder, archive or notebook belongs to (its name without the extension), or None."""
    if path.name.startswith((".", "__MACOSX")):
        return None
    if path.is_dir():
        return path.name
    lowered = path.name.lower()
    for suffix in (*ARCHIVES, NOTEBOOK):
        if lowered.endswith(suffix) and len(path.name) > len(suffix):
            return path.name[: -len(suffix)]
    return None


def discover(folder: Path, outputs: Collection[Path] = ()) -> tuple[list[Submission], list[Path]]:
    """The submissions in ``folder``, by student, and the entries that are not submissions.

    ``outputs`` (the gradebook, export folders) are passed over if they are inside ``folder``.
    """
    if not folder.is_dir():
        raise BatchError(f"no such folder: {folder}")
    skipped = {path.resolve() for path in outputs}
    found: dict[str, Submission] = {}
    ignored = []
    for path in sorted(folder.iterdir()):
        if path.resolve() in skipped or path.name.startswith(GRADEBOOK):
            continue
        student = student_of(path)
        if student is None:
            ignored.append(path)
            continue
        if student.casefold() in found:  # Alice/ and alice.zip are one student's
            other = found[student.casefold()]
            raise BatchError(f"two submissions for student {other.student!r}: {other.path.name} and {path.name}; "
                             "keep one")
        found[student.casefold()] = Submission(student, path)
    return list(found.values()), ignored


def checks_hash(course: Course, lesson: Lesson, limits: Limits) -> str:
    """A fingerprint of what a submission is graded with: the course, every check and probe it runs, the limits.

    Changing any of them makes a batch grade every submission again.
    """
    digest = hashlib.sha256((course.root / "lessons" / "course.toml").read_bytes())
    for each in course.up_to(lesson):
        for file in (each.checks, each.probes):
            if file is not None:
                digest.update(file.read_bytes())
    digest.update(json.dumps(asdict(limits), sort_keys=True).encode())
    return digest.hexdigest()


class Worker:
    """A ``worker`` process and the socket to it; grades one submission at a time.

    It connects back to the batch's ``listener`` (``connect``), and all it starts carries its ``tag``.
    """

    def __init__(self, course: Course, lesson: Lesson, limits: Limits, listener: Listener) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - what the worker says, kept until stop()
        # Its temporary files (sandboxes, unpacked archives) go here, and go when it does, even if it is killed.
        self.scratch = new_folder("batch", MEMORY_FOLDER)
        self.scratch.chmod(0o711)  # a sandbox that runs as another user must reach its own folder in it
        self.tag, self.since = secrets.token_hex(8), time.time()
        self.token, channel = listener.environment()
        self.listener = listener
        # Started from the folder this grader package is in, so the worker imports this very grader.
        self.process = subprocess.Popen([sys.executable, "-m", "grader.classroom.worker"], stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=self.log, cwd=Path(__file__).resolve().parent.parent,
                                        env={**os.environ, **channel, **tagged(self.tag), "TMPDIR": str(self.scratch)})
        self.task = {"root": str(course.root.resolve()), "lesson": lesson.id, "limits": asdict(limits)}
        self.sock: socket.socket | None = None
        self.job: Submission | None = None
        self.given = self.deadline = 0.0

    def connect(self) -> None:
        """Wait for the worker to connect back, and tell it what it grades."""
        try:
            self.sock = self.listener.accept(self.token, GRACE_SECONDS, lambda: self.process.poll() is None)
        except (protocol.ChannelClosed, protocol.ChannelTimeout):
            words = self.last_words()
            self.stop(stuck=True)
            raise CourseError(f"a grading worker did not start ({words})") from None
        protocol.send(self.sock, self.task)

    def give(self, submission: Submission, seconds: float) -> None:
        try:
            protocol.send(self.sock, {"path": str(submission.path.resolve())})
        except OSError:  # the worker is gone: that shows when its answer is read
            pass
        self.job = submission
        self.given = time.monotonic()
        self.deadline = self.given + seconds

    def last_words(self) -> str:
        """The last line the worker wrote (why it died, if it said)."""
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.process.poll()}"

    def stop(self, *, busy: bool = False, stuck: bool = False) -> None:
        """End the worker and all it started: an idle one exits when its channel closes; a ``busy`` one is
        terminated (on POSIX it then cleans up its sandbox), a ``stuck`` one killed."""
        if stuck:
            self.process.kill()
        elif busy:
            self.process.terminate()
        if self.sock is not None:
            self.sock.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        kill_tagged(self.tag, self.since)  # what its sandboxes left running where the grader is no subreaper
        self.log.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _grade_all(course: Course, lesson: Lesson, todo: list[Submission], jobs: int, limits: Limits,
               done: Callable[[Submission, Report | None, str | None, float, str | None], None]) -> None:
    """Grade ``todo`` on ``jobs`` workers; ``done`` gets each report (or why there is none), the seconds it
    took, and if it was graded twice why, as they come.

    A submission whose worker died under it (killed from outside, out of memory...) is graded once more,
    by a fresh worker; a sandboxed submission cannot kill its worker, so a second death is recorded as such.
    """
    pending = deque(todo)
    retried: dict[Path, str] = {}  # submissions whose first worker died, and how
    allowed = 2 * limits.submission_seconds + GRACE_SECONDS
    become_subreaper()  # whatever a killed worker leaves running becomes ours to end
    listener = Listener()
    workers = [Worker(course, lesson, limits, listener) for _ in range(min(jobs, len(todo)))]
    try:
        for worker in workers:  # started together, so they start up in parallel
            worker.connect()
        while pending or any(worker.job for worker in workers):
            for worker in workers:
                if worker.job is None and pending:
                    worker.give(pending.popleft(), allowed)
            busy = [worker for worker in workers if worker.job is not None]
            wait = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
            ready, _, _ = select.select([worker.sock for worker in busy], [], [], wait)
            for worker in busy:
                if worker.sock in ready:
                    message = _answer(worker)
                elif time.monotonic() >= worker.deadline:
                    message = {"stuck": f"not graded: the grader's worker was still busy after {allowed:g} s"}
                else:
                    continue
                if "course_broken" in message:
                    raise CourseError(message["course_broken"])
                job, worker.job = worker.job, None
                assert job is not None
                seconds = time.monotonic() - worker.given
                again = f"graded again: the first time, {retried[job.path]}" if job.path in retried else None
                if "report" in message:
                    done(job, report_from_dict(message["report"]), None, seconds, again)
                elif "error" in message:
                    done(job, None, message["error"], seconds, again)
                else:
                    if "died" in message and job.path not in retried:
                        retried[job.path] = message["died"]
                        pending.appendleft(job)
                    elif "died" in message:
                        done(job, None, f"not graded: {message['died']}, twice", seconds, again)
                    else:
                        done(job, None, message["stuck"], seconds, again)
                    worker.stop(stuck=True)  # it died or is stuck: a fresh one takes its place
                    kill_orphans(keep={other.process.pid for other in workers if other is not worker} | Sandbox.live)
                    fresh = Worker(course, lesson, limits, listener)
                    workers[workers.index(worker)] = fresh
                    fresh.connect()
    finally:
        for worker in workers:
            worker.stop(busy=worker.job is not None)
        kill_orphans(keep=Sandbox.live)
        listener.close()


def _answer(worker: Worker) -> dict[str, Any]:
    """The worker's answer: a report, an error it met, the course is broken, or it ``died`` or is ``stuck``."""
    try:
        return protocol.receive(worker.sock, timeout=GRACE_SECONDS)
    except protocol.ChannelTimeout:
        return {"stuck": f"not graded: the grader's worker process stopped answering ({worker.last_words()})"}
    except (protocol.ChannelClosed, protocol.MessageTooLarge):
        worker.process.poll()
        return {"died": f"the grader's worker process stopped ({worker.last_words()})"}


def run(course: Course, lesson: Lesson, folder: Path, book: Path, *, jobs: int, limits: Limits = Limits(),
        force: bool = False, outputs: Collection[Path] = (), progress: Callable[[Outcome], None] | None = None,
        started: Callable[[int, int], None] | None = None) -> Summary:
    """Grade every submission in ``folder`` for ``lesson`` (hidden checks included) into the gradebook ``book``.

    Submissions graded before with the same content and checks are skipped unless ``force``.
    ``started(total, to_grade)`` is called once the folder is read, ``progress`` after each submission.
    """
    begun = time.perf_counter()
    submissions, ignored = discover(folder, [book, *outputs])
    fingerprint = checks_hash(course, lesson, limits)
    summary = Summary(students=[submission.student for submission in submissions], ignored=ignored)
    hashes = {submission.student: digest(submission.path) for submission in submissions}
    with Gradebook(book) as gradebook:
        todo = []
        for submission in submissions:
            student = submission.student
            if not force and gradebook.is_current(student, lesson.id, hashes[student], fingerprint):
                summary.outcomes.append(Outcome(submission, "unchanged"))
            else:
                todo.append(submission)
        if started is not None:
            started(len(submissions), len(todo))
        batch = gradebook.start_run(lesson.id, folder.resolve(), fingerprint, asdict(limits))

        def done(submission: Submission, report: Report | None, error: str | None, seconds: float,
                 note: str | None) -> None:
            gradebook.record(batch, submission.student, submission.path.name, hashes[submission.student],
                             fingerprint, report, error)
            outcome = Outcome(submission, "error" if report is None else "graded",
                              None if report is None else report.passed, error, seconds, note)
            summary.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)

        try:
            if todo:
                _grade_all(course, lesson, todo, jobs, limits, done)
            gradebook.finish_run(batch)
        except KeyboardInterrupt:
            summary.interrupted = True
    summary.outcomes.sort(key=lambda outcome: outcome.submission.student)
    summary.seconds = time.perf_counter() - begun
    return summary
