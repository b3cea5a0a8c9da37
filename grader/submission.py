"""What a student or instructor hands the grader, turned into a folder to grade, and its fingerprint.

A folder is graded as it is; an archive is unpacked safely (``sandbox.archives``); a notebook is run
from the top in a fresh, confined kernel, and the folder is what that run wrote (``sandbox.notebook``).
What a student uploads to a platform is searched for the app first (``located``), since uploads
come in many shapes: the app's folder, a whole repository, a folder around it, a notebook.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .course import COURSE_ROOT, Course, Lesson
from .report import CheckResult, Report
from .runner import CourseError, grade, sandbox_for, session
from .sandbox import IGNORED, BadSubmission, KernelDidNotStart, Limits, NotebookFailed
from .sandbox.archives import app_folder, is_archive, unpack


@contextlib.contextmanager
def opened(path: Path, package: str, limits: Limits = Limits()) -> Iterator[Path]:
    """Yield a folder to grade for ``path``: a folder, an archive unpacked to a temporary one, or the
    folder a notebook's run wrote (within ``limits``; NotebookFailed if the run stopped)."""
    if path.is_dir():
        yield path
        return
    if not path.exists():
        raise BadSubmission(f"no such file or folder: {path}")
    if path.suffix.lower() == ".ipynb":
        from .sandbox.notebook import executed  # nbformat and Jupyter only for a notebook

        try:
            with executed(path, limits, hidden=[COURSE_ROOT]) as folder:
                yield app_folder(folder, package)
        except KernelDidNotStart as error:
            raise CourseError(str(error)) from None
        return
    if not is_archive(path):
        raise BadSubmission(f"cannot grade {path.name}: give a folder, a .zip/.tar.gz archive or a .ipynb notebook")
    with tempfile.TemporaryDirectory(prefix="grade-unpack-") as temporary:
        target = Path(temporary)
        unpack(path, target)
        yield app_folder(target, package)


def graded(course: Course, lesson: Lesson, path: Path, *, include_hidden: bool = False,
           limits: Limits = Limits(), on_check: Callable[[CheckResult], None] | None = None,
           missing: dict[str, Any] | None = None) -> Report:
    """Grade what was handed in at ``path``; a notebook whose run stopped fails every check, saying why.
    ``on_check`` is given each verdict as soon as it is final.

    With ``missing`` (a reason, as a load error), what holds no app at all is not graded: every check
    fails for that reason instead of the loader's, which speaks of ``--path``.
    """
    try:
        with opened(path, lesson.package, limits) as folder:
            if missing is not None and not holds_app(folder, lesson.package):
                return did_not_run(course, lesson, missing, include_hidden=include_hidden, limits=limits)
            return grade(course, lesson, folder, include_hidden=include_hidden, limits=limits, on_check=on_check)
    except NotebookFailed as error:
        return did_not_run(course, lesson, error.info, include_hidden=include_hidden, limits=limits)


def holds_app(folder: Path, package: str) -> bool:
    return (folder / package).is_dir() or (folder / f"{package}.py").is_file()


def located(upload: Path, lesson: Lesson) -> Path | None:
    """Where the app is in what a student uploaded (Gradescope's submission folder, a GitHub repository):
    the folder itself, its ``exercises/LESSON/``, its one notebook or archive (or the one named after the
    lesson), or the same inside its one sub-folder; None if it is in none of those."""
    folder = upload
    while folder.is_dir():
        if holds_app(folder, lesson.package):
            return folder
        if holds_app(folder / "exercises" / lesson.id, lesson.package):
            return folder / "exercises" / lesson.id
        names = sorted(os.listdir(folder))
        entries = [folder / name for name in names if name not in IGNORED(str(folder), names)
                   and not name.startswith((".", "__MACOSX"))]
        handed_in = [entry for entry in entries if entry.is_file() and
                     (entry.suffix.lower() == ".ipynb" or is_archive(entry))]
        named = [entry for entry in handed_in if entry.name.lower().startswith(f"{lesson.id}.")]
        if len(handed_in) == 1 or len(named) == 1:
            return named[0] if len(named) == 1 else handed_in[0]
        folders = [entry for entry in entries if entry.is_dir()]
        if len(folders) != 1:
            return None
        folder = folders[0]
    return upload if upload.is_file() else None


def not_found(upload: Path, lesson: Lesson) -> dict[str, str]:
    """Why an upload is not graded when no app is in it, as a load error: where the grader looked, what to
    hand in instead, and what the upload holds."""
    package = lesson.package
    try:
        names = sorted(name for name in os.listdir(upload) if not name.startswith("."))
    except OSError:
        names = []
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return {"title": f"No {package}/ folder or notebook found in what you handed in",
            "detail": f"The grader looks for {package}/ at the top, in exercises/{lesson.id}/ or in the one folder "
                      f"of what you hand in, or for one notebook ({lesson.id}.ipynb) that writes {package}/ when "
                      f"run from the top. Hand in the folder that holds {package}/, a .zip of it, or your notebook. "
                      f"What you handed in holds: {shown or 'nothing'}."}


def did_not_run(course: Course, lesson: Lesson, info: dict[str, Any], *, include_hidden: bool = False,
                limits: Limits = Limits()) -> Report:
    """The report of a submission that never ran (a notebook whose run stopped): every check fails for
    that reason, as for an app that does not load."""
    reports: list[Report] = []
    sandbox = sandbox_for(course, lesson, Path(), limits)
    sandbox.refuse(info)  # so it never reads the folder, nor starts
    try:
        session(course, lesson, lambda run: reports.append(run(sandbox)), include_hidden=include_hidden)
    finally:
        sandbox.close()
    return reports[0]


def digest(path: Path) -> str:
    """A fingerprint of a submission's content (a folder, or an archive or notebook file): every file's
    path and bytes, in path order. A different digest means the code changed.

    Files the grader never copies (``__pycache__``, ``.git``...) do not count, and links count by
    where they point, so the fingerprint changes exactly when what is graded changes.
    """
    total = hashlib.sha256()
    if path.is_file():
        _add_file(total, path)
        return total.hexdigest()
    for folder, dirs, files in os.walk(path):
        ignored = IGNORED(folder, dirs + files)
        dirs[:] = sorted(name for name in dirs if name not in ignored)
        links = [name for name in dirs if os.path.islink(os.path.join(folder, name))]  # not walked into
        for name in sorted([*links, *(name for name in files if name not in ignored)]):
            file = Path(folder, name)
            total.update(str(file.relative_to(path)).encode("utf-8", "surrogateescape") + b"\0")
            _add_file(total, file)
    return total.hexdigest()


TOO_LARGE_TO_READ = 4 * Limits.size_mb * 2**20


def _add_file(digest: hashlib._Hash, file: Path) -> None:
    """A file's bytes; a link's target; for anything else (a named pipe...), only what it is. A file too
    large for any submission (grading refuses it) counts by its size and time: a sparse file of 64 GB
    would take minutes to read."""
    info = file.lstat()
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        digest.update(b"link:" + os.readlink(file).encode("utf-8", "surrogateescape"))
    elif not stat.S_ISREG(mode):
        digest.update(f"special:{stat.S_IFMT(mode)}".encode())
    elif info.st_size > TOO_LARGE_TO_READ:
        digest.update(f"large:{info.st_size}:{info.st_mtime_ns}".encode())
    else:
        try:
            with open(file, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as error:  # unreadable: grading will say so; the fingerprint just has to be stable
            digest.update(f"unreadable: {error.strerror}".encode())
    digest.update(b"\0")
