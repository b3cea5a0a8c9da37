"""Notice every save in an exercise folder: file events where the system sends them, polling where it
does not (network drives, WSL's Windows drives, folders shared into a virtual machine).

A save is often several writes (editors write a temporary file, then rename it), so a change counts
once the folder has been quiet for a moment. Only changes to files grading reads count: opening or
copying a file (as grading does) is not a change, nor is an editor's swap file.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .workspace import is_graded, is_scratch

POLL_SECONDS = 0.25
QUIET_SECONDS = 0.1
CHANGES = {"created", "modified", "deleted", "moved", "closed"}
# File systems whose changes reach Linux without inotify events: network shares, WSL's Windows drives
# (drvfs, 9p), folders shared into virtual machines.
NO_EVENTS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "v9fs", "drvfs", "afs", "ceph", "glusterfs",
             "fuse.sshfs", "fuse.rclone", "fuse.vmhgfs-fuse", "vboxsf", "grpcfuse", "fakeowner"}


def _file_system(path: Path) -> str | None:
    """The type of the file system ``path`` is on, from /proc/self/mounts (None if unknown)."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return None
    target, best, kind = path.resolve(), -1, None
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(fields[1].replace("\\040", " "))
        if (target == point or point in target.parents) and len(point.parts) > best:
            best, kind = len(point.parts), fields[2]
    return kind


def polling_reason(folder: Path) -> str | None:
    """Why file events may not arrive for ``folder``, so that it must be polled; None if they will."""
    kind = _file_system(folder)
    return f"it is on a {kind} file system, which sends no file events" if kind in NO_EVENTS else None


class _Changes(FileSystemEventHandler):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.changed = threading.Event()

    def _counts(self, path: str | bytes) -> bool:
        try:
            relative = Path(str(path)).relative_to(self.folder)
        except ValueError:
            return False
        return is_graded(relative) and not is_scratch(relative)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES or event.is_directory:
            return
        if self._counts(event.src_path) or (event.dest_path and self._counts(event.dest_path)):
            self.changed.set()


class Watcher:
    """Watches ``folder`` while open. Ctrl-C sets ``interrupted`` and raises KeyboardInterrupt, even where
    a library (pytest) would catch it: check ``interrupted`` after such a call."""

    def __init__(self, folder: Path, *, poll: bool = False) -> None:
        self.folder = folder.resolve()
        self.reason = "--poll was given" if poll else polling_reason(self.folder)
        self.interrupted = False
        self._changes = _Changes(self.folder)
        self._observer: BaseObserver | None = None
        self._previous_handler: object = None

    @property
    def mode(self) -> str:
        if self.reason:
            return f"checking for changes every {POLL_SECONDS:g} s: {self.reason}"
        return "file events"

    def __enter__(self) -> Self:
        if self.reason is None:
            try:
                self._observer = self._start(Observer())
            except OSError as error:  # e.g. the system's limit of inotify watches is reached
                self.reason = f"file events are not available ({error.strerror or error})"
        if self._observer is None:
            self._observer = self._start(PollingObserver(timeout=POLL_SECONDS))
        self._previous_handler = signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def _start(self, observer: BaseObserver) -> BaseObserver:
        observer.schedule(self._changes, str(self.folder), recursive=True)
        observer.start()
        return observer

    def _on_interrupt(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = True
        raise KeyboardInterrupt

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        signal.signal(signal.SIGINT, self._previous_handler)  # type: ignore[arg-type]
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)

    def wait(self) -> None:
        """Block until a graded file changes."""
        self._changes.changed.wait()

    def settle(self) -> None:
        """Wait until the folder has been quiet for a moment: the save is complete."""
        while True:
            self._changes.changed.clear()
            if not self._changes.changed.wait(QUIET_SECONDS):
                return
