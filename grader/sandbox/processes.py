"""The operating system's side of a sandbox: which user it runs as, its files, its processes of its own,
and killing all it started.

On Linux, a confined sandbox has a PID namespace of its own (``own_processes``): all of it ends with
its first process. What a submission leaves running otherwise is found as the grader's children (it
is their subreaper), or elsewhere by the tag in its environment (``TAG``) that every process a spawned
worker starts inherits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from .confine import MS_NODEV, MS_NOEXEC, MS_NOSUID
from .limits import Limits

PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG = 36, 1
CLONE_NEWPID = 0x20000000
TAG = "GRADE_SANDBOX_TAG"
KILLED = -9  # how a process killed by the grader ended (-SIGKILL; Windows has no signals, its code says the same)
ENDING = {"SIGINT", "SIGTERM", "SIGHUP"}  # the signals that end a grade (Ctrl-C, a kill, a closed terminal), by name


def become_subreaper() -> None:
    """Make processes a submission leaves behind (even after setsid) our children, so we can kill them."""
    import ctypes  # imported here: only a run that starts a sandbox needs it

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError, TypeError):  # not Linux: process groups, and tags, catch what is left
        pass


def _children_of(pid: int) -> list[int]:
    """``pid``'s children, as Linux lists them; OSError where it does not (or ``pid`` has ended)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _children() -> list[int]:
    me = os.getpid()
    try:
        return _children_of(me)
    except OSError:
        children = []
        if not os.path.isdir("/proc"):  # not Linux: a spawned worker's leftovers are found by their tag
            return children
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == me:
                    children.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
        return children


def _numbers(pid: int) -> list[int]:
    """``pid``'s numbers, the grader's first, then in each PID namespace below (Linux's NSpid)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return [int(number) for number in line.split()[1:]]
    except OSError:
        pass
    return []


def host_pid(zygote: int, pid: int) -> int | None:
    """The grader's number for the zygote's worker ``pid``: the same, unless the sandbox has processes of
    its own (``own_processes``), which it numbers anew; then found among the zygote's children
    and theirs. None if the worker has ended."""
    level = [zygote]
    for _ in range(2):
        below = []
        for parent in level:
            with contextlib.suppress(OSError):  # it has ended
                below += _children_of(parent)
        level = below
        for child in level:
            if _numbers(child)[-1:] == [pid]:
                return child
    return None


@contextlib.contextmanager
def ending_signals_held() -> Iterator[set[int]]:
    """Hold back the signals that end a grade (Ctrl-C, a kill, a closed terminal) for the duration: one that
    came while ``os.fork()`` sets the two processes up would be lost ("Exception ignored in ... _after_fork"),
    and grading would go on. Yields the mask to put back: a process forked meanwhile starts with them held
    and puts it back where it can end cleanly; this one takes them when the block ends. (POSIX only.)"""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {getattr(signal, name) for name in ENDING})
    try:
        yield held
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


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


SANDBOX_IDS = 1_500_000_000  # sandbox users: far above any real user's id (pids stay below 2**22)


def _open_to_others(path: str) -> bool:
    """Can any user reach ``path``? (every folder on the way searchable by others)"""
    current = Path(path).resolve()
    return all(os.stat(folder).st_mode & stat.S_IXOTH for folder in [current, *current.parents])


def sandbox_user(confined: bool) -> int | None:
    """The user (and group) id a sandbox process drops to when it runs as root, else None.

    Its own, never another sandbox's: the pid of the process that drops. Only where that user can still
    run Python: in a confined sandbox (which shows Python wherever it lives), or where Python is
    installed open to every user; otherwise the sandbox stays root, in its throw-away copy, and says so.
    """
    if os.geteuid() != 0:
        return None
    if not confined:
        import sysconfig

        paths = sysconfig.get_paths()
        if not all(_open_to_others(paths[key]) for key in ("stdlib", "purelib")):
            return None
    return SANDBOX_IDS + os.getpid()


def chown_tree(root: Path, uid: int, gid: int) -> None:
    for folder, dirs, files in os.walk(root):
        os.chown(folder, uid, gid)
        for name in files + dirs:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


def kill_group(pid: int) -> None:
    """Kill process group ``pid``; on Windows, which has none, the process and its descendants."""
    if not hasattr(os, "killpg"):
        kill_tree(pid)
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_tree(pid: int) -> None:
    """Kill process ``pid`` and every process descended from it that is still attached to it."""
    import psutil  # imported here: only the portable sandbox needs it

    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for process in family:
        try:
            process.kill()
        except psutil.Error:
            pass


def tagged(tag: str) -> dict[str, str]:
    """The environment that marks a process (and all it starts) as ``tag``'s, inside whatever tag it already has."""
    inherited = os.environ.get(TAG)
    return {TAG: f"{inherited}/{tag}" if inherited else tag}


def kill_tagged(tag: str, since: float) -> None:
    """Kill (and reap) every process started since ``since`` (``time.time()``) whose environment carries ``tag``:
    whatever a spawned worker left running, even after ``setsid``, unless it cleared its environment."""
    import psutil

    found = []
    for process in psutil.process_iter(["create_time"]):
        try:
            if process.info["create_time"] >= since - 1 and tag in process.environ().get(TAG, "").split("/"):
                process.kill()
                found.append(process)
        except psutil.Error:  # ended already, or not ours to read
            continue
    psutil.wait_procs(found, timeout=5)


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
    if code == KILLED:
        return f"it was killed, most likely for using more than {limits.memory_mb} MB of memory"
    if code < 0:
        return f"it was killed by signal {signal.Signals(-code).name}"
    return f"exit status {code}: does your code call sys.exit() or os._exit()?"


def _end_as(child: int, files: int) -> NoReturn:
    """Hold none of the grader's ``files`` (descriptors below that) open, wait for ``child``, end as it ended."""
    os.closerange(0, files)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt (a notebook kernel's) is for the child
    code = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    if code < 0:  # killed by a signal: be killed by it too, so the grader reads the same ending
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


def own_processes() -> bool:
    """In a confined sandbox, go on in a process tree of its own (a PID namespace, with its own /proc):
    student code then sees and can signal only the sandbox's processes, and they all end with its first.

    This process stays outside, as the grader's child, and only waits; its one child, the first process
    of the new tree, returns True and goes on. False, and nothing done, where the kernel refuses.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWPID) != 0:
        return False
    files = max(int(fd) for fd in os.listdir("/proc/self/fd")) + 1  # before the child's /proc hides our own
    child = os.fork()
    if child != 0:
        _end_as(child, files)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # and all of it ends if this waiting parent does
    libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)  # where refused, /proc shows all
    return True
