"""A warm ``grade``: a process with the grader, pytest and Flask imported already (``warm_process``), which
forks a copy of itself to run each ``grade`` command, so that a student's ``grade lesson3`` starts checking
at once instead of importing for a few hundred milliseconds first. This module is the side of ``grade``:
where that process listens, handing a command over to it, and starting one.

The first ``grade lessonN`` runs as usual and leaves this process running (``keep_warm``). Each ``grade``
after it hands its arguments, folder, environment and terminal (standard input, output and error) over
(``hand_over``); a child forked for the command runs it exactly as ``grade`` would, in that folder, writing
to that terminal, and its exit code comes back. Ctrl-C, Ctrl-Z and a closed terminal are passed on to it.
No student code ever runs in the warm process: each child starts the submission's sandbox, as ``grade`` does.

One warm process serves one Python, with one set of settings, and one copy of the grader: its socket is
named after them, in a folder that only this user can open and that sandboxes cannot see. It ends after
``IDLE_SECONDS`` without a command, and as soon as a file of the grader it imported (or a folder Python
imports from) changes: the command that finds that out runs as usual and leaves a new one. Linux only;
``GRADE_WARM=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import signal
import socket
import stat
import struct
import sys
from collections.abc import Callable
from typing import Any, NoReturn

ENV = "GRADE_WARM"
IDLE_SECONDS = 15 * 60.0
HEADER = struct.Struct("!I")
CODE = struct.Struct("!i")
TAKEN, DECLINED = b"+", b"-"
HANDSHAKE_SECONDS = 10.0  # for the warm process to take a command or decline it: else ``grade`` runs it itself
STREAM_SETTINGS = ("encoding", "errors", "line_buffering", "write_through")
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")  # by name: Windows has no SIGHUP (nor a warm process)
SERVE = ("import json, sys; sys.path[:] = json.loads(sys.argv[1]); from grader.cli.warm_process import serve; "
         "serve(sys.argv[2])")

served = False  # is this process a warm process's child, running a command handed over? (``warm_process``)


def _folder() -> str | None:
    """The folder for the socket: the user's runtime folder, or one of this user's own in /tmp; None unless only
    this user can open it."""
    folder = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(os.environ.get("TMPDIR") or "/tmp", f"grade-{os.getuid()}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return None
    private = stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077
    return folder if private else None


def _where() -> tuple[str | None, str]:
    """Where the warm process for this Python, its settings and this grader listens, or None and why there is none."""
    if not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")):
        return None, "it needs Linux"
    if os.environ.get(ENV, "").strip() == "0":
        return None, f"{ENV}=0"
    if (folder := _folder()) is None:
        return None, "no folder of this user's own for its socket"
    settings = {key: value for key, value in os.environ.items() if key.startswith(("PYTHON", "LC_")) or key == "LANG"}
    identity = json.dumps([sys.executable, sys.version, list(sys.flags), sys.warnoptions, sorted(sys._xoptions),
                           sys.path, __file__, os.getuid(), settings], sort_keys=True)
    path = os.path.join(folder, f"grade-warm-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.sock")
    if len(path.encode()) >= 100:  # a socket's address is at most 107 bytes
        return None, f"the path of its socket in {folder} would be too long"
    return path, ""


# The ``grade`` that hands its command over -------------------------------------------------------------

def hand_over() -> None:
    """If a warm process runs for this Python and grader, have it run this command on this terminal, and exit
    as the command did; return at once if there is none, or if it is out of date. From the moment it asks,
    Ctrl-C and the like go to the command (or, if it is not taken, end this ``grade``)."""
    if (path := _where()[0]) is None:
        return
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(HANDSHAKE_SECONDS)
    received, previous = _forward_signals(sock)
    try:
        sock.connect(path)  # from here on, a signal is passed on as soon as it comes
        if received:
            raise InterruptedError  # it came before: the command is not handed over
        main = sys.modules["__main__"]
        request = json.dumps({
            "argv": sys.argv, "package": getattr(main, "__package__", None), "cwd": os.getcwd(),
            "env": dict(os.environ), "umask": _umask(),
            "streams": {name: [getattr(stream, setting, None) for setting in STREAM_SETTINGS]
                        for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr))},
        }).encode()
        message = HEADER.pack(len(request)) + request
        sent = socket.send_fds(sock, [message], [0, 1, 2])
        sock.sendall(message[sent:])
        answer = sock.recv(1)
    except (OSError, ValueError):  # none listens, a closed standard stream, a folder that is gone
        answer = b""
    if answer == TAKEN:
        sock.settimeout(None)
        _exit_as(_exit_code(sock))
    sock.close()
    if received:  # interrupted before the command started: as grade would be
        _exit_as(-received[0])
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _forward_signals(sock: socket.socket) -> tuple[list[int], dict[int, Any]]:
    """Pass Ctrl-C, a kill and a closed terminal on to the command's process; stop it with Ctrl-Z, and go on
    with it when the shell continues this one. Returns the signals passed on so far (a list that grows), and the
    handlers there were before."""
    received: list[int] = []

    def send(signum: int) -> None:
        with contextlib.suppress(OSError):  # not connected yet, or the warm process is gone: the exit code says so
            sock.send(bytes([signum]))

    def forward(signum: int, frame: Any) -> None:
        received.append(signum)
        send(signum)

    def suspend(signum: int, frame: Any) -> None:
        send(signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here; the shell's fg sends SIGCONT

    def resume(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTSTP, suspend)
        send(signal.SIGCONT)

    handlers = {getattr(signal, name): forward for name in FORWARDED}
    handlers |= {signal.SIGTSTP: suspend, signal.SIGCONT: resume}
    return received, {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}


def _exit_code(sock: socket.socket) -> int | None:
    """How the command ended, as ``os.waitstatus_to_exitcode`` says; None if the warm process went away first."""
    data = b""
    while len(data) < CODE.size:
        try:
            chunk = sock.recv(CODE.size - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return CODE.unpack(data)[0]


def _exit_as(code: int | None) -> NoReturn:
    if code is None:
        print("grade: error: the warm grade process ended before the command did; run it again", file=sys.stderr)
        os._exit(1)
    if code < 0:  # killed by a signal: end the same way, as the shell expects
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 128 - code
    os._exit(code)


def status() -> str:
    """What ``grade doctor`` says of the warm process."""
    if served:
        return f"this command ran in the warm grade process (pid {os.getppid()}): grade starts checking at once"
    path, why = _where()
    if path is None:
        return f"grade starts a new Python process for every command (no warm process: {why})"
    return "no warm grade process is running: the next grade lessonN leaves one for the commands after it"


def keep_warm() -> None:
    """Leave a warm process running for the next ``grade`` (unless one serves this command already); it starts
    in the background, in a session of its own, once this command is done. What it prints goes to a log beside
    its socket. Where it cannot be started, the next ``grade`` starts as this one did."""
    if served or (path := _where()[0]) is None:
        return
    import subprocess

    with contextlib.suppress(OSError), open(f"{path}.log", "wb") as log:
        subprocess.Popen([sys.executable, *subprocess._args_from_interpreter_flags(), "-c", SERVE,
                          json.dumps(sys.path), path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=log, cwd="/", start_new_session=True)


def leaves_warm(command: Callable[..., int]) -> Callable[..., int]:
    """Decorate a command that leaves a warm process running when it is done (``keep_warm``)."""

    @functools.wraps(command)
    def leaving_warm(*args: Any, **kwargs: Any) -> int:
        try:
            return command(*args, **kwargs)
        finally:
            keep_warm()

    return leaving_warm
