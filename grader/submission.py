"""Turn what an instructor or student hands the grader (a folder, an archive or a notebook) into a folder.

Archives are unpacked safely: no member may land outside the target folder (zip-slip), links are
not followed out of it, and the total size is bounded. A notebook is run from the top in a fresh,
confined kernel, and the folder is what that run wrote (see ``notebook_run``).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .sandbox import Limits

if TYPE_CHECKING:
    from .course import Course, Lesson
    from .report import Report

ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
MAX_UNPACKED = 200 * 2**20


class BadSubmission(Exception):
    """The path given cannot be graded; the message says why in one line."""


class NotebookFailed(Exception):
    """A notebook's run from the top stopped (a cell raised, or did not finish): a verdict, not a usage error.

    ``info`` says which cell and why, shaped like an app's load error.
    """

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info["title"])
        self.info = info


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVES)


def _refuse_if_too_large(unpacked_bytes: int) -> None:
    if unpacked_bytes > MAX_UNPACKED:
        raise BadSubmission(f"the archive unpacks to more than {MAX_UNPACKED // 2**20} MB")


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BadSubmission(f"the archive has a member outside its folder ({name!r}): not unpacked")
    return path


# zipfile and tarfile are imported where used: most runs grade a folder, and `grade` must start fast.
def _unpack_zip(archive: Path, target: Path) -> None:
    import zipfile

    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        _refuse_if_too_large(sum(member.file_size for member in members))
        for member in members:
            name = _safe_name(member.filename)
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                continue  # a symbolic link: never created
            destination = target.joinpath(*name.parts)
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out)


def _unpack_tar(archive: Path, target: Path) -> None:
    import tarfile

    with tarfile.open(archive) as bundle:
        members = bundle.getmembers()
        _refuse_if_too_large(sum(member.size for member in members))
        for member in members:
            _safe_name(member.name)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        bundle.extractall(target, members=[m for m in members if m.isfile() or m.isdir()], **safe)


def _app_folder(root: Path, package: str) -> Path:
    """The folder that holds the app's package: the top, or the single sub-folder (of the single sub-folder...)."""
    folder = root
    while not ((folder / package).exists() or (folder / f"{package}.py").exists()):
        entries = [entry for entry in folder.iterdir() if not entry.name.startswith((".", "__MACOSX"))]
        if len(entries) != 1 or not entries[0].is_dir():
            return root
        folder = entries[0]
    return folder


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
        from .notebook_run import executed

        with executed(path, limits) as folder:
            yield _app_folder(folder, package)
        return
    if not is_archive(path):
        raise BadSubmission(f"cannot grade {path.name}: give a folder, a .zip/.tar.gz archive or a .ipynb notebook")
    with tempfile.TemporaryDirectory(prefix="grade-unpack-") as temporary:
        target = Path(temporary)
        import tarfile
        import zipfile

        try:
            if path.name.lower().endswith(".zip"):
                _unpack_zip(path, target)
            else:
                _unpack_tar(path, target)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
            raise BadSubmission(f"{path.name} is not a readable archive ({error})") from None
        yield _app_folder(target, package)


def graded(course: Course, lesson: Lesson, path: Path, *, include_hidden: bool = False,
           limits: Limits = Limits()) -> Report:
    """Grade what was handed in at ``path``; a notebook whose run stopped fails every check, saying why."""
    from .runner import grade

    try:
        with opened(path, lesson.package, limits) as folder:
            return grade(course, lesson, folder, include_hidden=include_hidden, limits=limits)
    except NotebookFailed as error:
        from .notebook_run import did_not_run

        return did_not_run(course, lesson, error.info, include_hidden=include_hidden, limits=limits)
