"""Archives a student hands in, unpacked safely: no member may land outside the target folder
(zip-slip), links are not followed out of it, and the total size is bounded."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from .errors import BadSubmission

ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
MAX_UNPACKED = 200 * 2**20


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


def unpack(archive: Path, target: Path) -> None:
    """Unpack a .zip or tar ``archive`` into ``target``; BadSubmission if it cannot be read or is unsafe."""
    import tarfile
    import zipfile

    try:
        if archive.name.lower().endswith(".zip"):
            _unpack_zip(archive, target)
        else:
            _unpack_tar(archive, target)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        raise BadSubmission(f"{archive.name} is not a readable archive ({error})") from None


def app_folder(root: Path, package: str) -> Path:
    """The folder that holds the app's package: the top, or the single sub-folder (of the single sub-folder...)."""
    folder = root
    while not ((folder / package).exists() or (folder / f"{package}.py").exists()):
        entries = [entry for entry in folder.iterdir() if not entry.name.startswith((".", "__MACOSX"))]
        if len(entries) != 1 or not entries[0].is_dir():
            return root
        folder = entries[0]
    return folder
