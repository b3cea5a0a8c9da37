"""The operating system's side of a sandbox: which user it runs as, its files, and killing all it started."""

from __future__ import annotations

import os
import pwd
import signal
import stat
from pathlib import Path

from .limits import Limits

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Make processes a submission leaves behind (even after setsid) our children, so we can kill them."""
    import ctypes  # imported here: only a run that starts a sandbox needs it

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: process groups still catch all but setsid escapees
        pass


def _children() -> list[int]:
    me = os.getpid()
    try:
        return [int(pid) for pid in Path(f"/proc/{me}/task/{me}/children").read_text().split()]
    except OSError:
        children = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == me:
                    children.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
        return children


def kill_orphans(keep: set[int]) -> None:
    """Kill and reap every child of ours not in ``keep``: whatever a submission left running."""
    for _ in range(100):
        orphans = [pid for pid in _children() if pid not in keep]
        if not orphans:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _open_to_others(path: str) -> bool:
    """Can any user reach ``path``? (every folder on the way searchable by others)"""
    current = Path(path).resolve()
    return all(os.stat(folder).st_mode & stat.S_IXOTH for folder in [current, *current.parents])


def sandbox_user() -> tuple[int, int] | None:
    """The unprivileged user a submission runs as when the grader runs as root (else None).

    Only when that user can read Python itself: a Python installed in a private home folder
    leaves the submission running as root, in its throw-away copy.
    """
    if os.geteuid() != 0:
        return None
    import sysconfig

    paths = sysconfig.get_paths()
    if not all(_open_to_others(paths[key]) for key in ("stdlib", "purelib")):
        return None
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


def chown_tree(root: Path, uid: int, gid: int) -> None:
    for folder, dirs, files in os.walk(root):
        os.chown(folder, uid, gid)
        for name in files + dirs:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def cut_off_inherited_files(keep: set[int]) -> None:
    """In a new child: every file the grader had open (but ``keep``) now points at /dev/null.

    So the submission cannot write to the grader's output or a batch's channel to its parent. The
    numbers stay taken, so an inherited Python object that closes its file closes nothing of ours.
    """
    null = os.open(os.devnull, os.O_RDWR)
    for fd in [int(name) for name in os.listdir("/proc/self/fd")]:
        if fd > 2 and fd not in keep and fd != null:
            try:
                os.dup2(null, fd)
            except OSError:  # the directory listing's own descriptor, closed already
                pass
    os.close(null)


def describe_exit(code: int | None, limits: Limits) -> str:
    if code is None:
        return "it stopped answering"
    if code == -signal.SIGKILL:
        return f"it was killed, most likely for using more than {limits.memory_mb} MB of memory"
    if code < 0:
        return f"it was killed by signal {signal.Signals(-code).name}"
    return f"exit status {code}: does your code call sys.exit() or os._exit()?"
