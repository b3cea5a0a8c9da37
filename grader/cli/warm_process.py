"""The warm process (see ``warm``): it imports what grading needs, listens on its socket, and forks a child for
each command a ``grade`` hands over, which takes that ``grade``'s terminal, folder and environment and runs the
command as ``grade`` would; it reports each command's exit code, passes on the signals a ``grade`` forwards, and
ends when idle or out of date."""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import io
import json
import os
import select
import signal
import socket
import struct
import sys
import sysconfig
import time
from dataclasses import dataclass
from typing import Any, NoReturn

from ..sandbox.processes import ENDING, ending_signals_held
from . import warm
from .warm import CODE, DECLINED, HEADER, IDLE_SECONDS, TAKEN

REQUEST_SECONDS = 2.0  # for a connected ``grade`` to send its request: the warm process serves one at a time
# What the warm process imports before it serves: what grading a lesson needs, but the lesson's own files.
PRELOADED = ("grader.cli.commands", "grader.runner", "grader.plugin", "grader.parallel", "grader.expectations",
             "grader.remote", "grader.submission", "grader.reports.terminal", "grader.student.progress",
             "grader.sandbox.child", "pytest", "_pytest._argcomplete", "html.parser")

_connection: socket.socket | None = None  # in a child: the command's grade, waiting on it for the exit code


def _snapshot() -> list[tuple[str, int, int]]:
    """What the imported grader and Python's import folders look like now: a change means the warm process is
    out of date."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = sorted({module.__file__ for module in list(sys.modules.values())
                    if (getattr(module, "__file__", None) or "").startswith(package + os.sep)})
    seen = []
    for path in [*files, *sys.path]:
        try:
            found = os.stat(path or ".")
            seen.append((path, found.st_mtime_ns, found.st_size))
        except OSError:
            seen.append((path, -1, -1))
    return seen


def _lessons_libraries() -> set[str]:
    """The modules the course's checks and probes import (by name, from their code), and the submodules they
    import names from: each command imports them again, the checks in the grader and the probes in the
    sandbox, unless they are imported here first. Only Python's own and installed packages' (``_installed``), and
    never the students' own package (``shelf``), even if one is installed."""
    from ..course import COURSE_ROOT, Course

    names = set()
    students = {lesson.package for lesson in Course.load(COURSE_ROOT).lessons}
    for path in (COURSE_ROOT / "lessons").glob("*/*.py"):
        try:
            tree = ast.parse(path.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return {name for name in names if name.partition(".")[0] not in students and _installed(name)}


def _installed(name: str) -> bool:
    """Is ``name`` in Python's own library or an installed package? Never a module that a folder on the path
    provides, such as a student's ``shelf``: no student code ever runs in the warm process."""
    try:
        spec = importlib.util.find_spec(name.partition(".")[0])  # a top-level name: nothing is imported to find it
    except (ImportError, ValueError):
        return False
    origin = getattr(spec, "origin", None)
    places = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return origin in ("built-in", "frozen") or (origin is not None and origin.startswith(tuple(
        place + os.sep for place in places)))


def _preload() -> None:
    """Import what a command needs (what grading a lesson imports, the libraries its checks and probes use), and
    warm Flask up, as a batch does before it forks sandboxes."""
    for name in PRELOADED:
        importlib.import_module(name)
    from _pytest.config import default_plugins  # imported by every pytest session: import them now, once

    for name in default_plugins:
        importlib.import_module(f"_pytest.{name}")
    for name in sorted(_lessons_libraries()):
        with contextlib.suppress(Exception):  # not installed, or not importable on its own: a command imports it
            importlib.import_module(name)
    from rich.cells import cell_len

    from ..sandbox.child import warm_up

    warm_up()
    cell_len("✓")  # loads the table of character widths the first verdict line needs


@dataclass
class Command:
    """A command being run by a child of the warm process, for the ``grade`` connected on ``sock``."""

    pid: int
    sock: socket.socket | None  # None once that grade is gone


class WarmProcess:
    """The loop of the warm process: accept a command, fork a child to run it, report how it ended, pass the
    signals its ``grade`` forwards on, and end when idle or out of date."""

    def __init__(self, path: str, lock: int) -> None:
        self.path = path
        self.lock: int | None = lock
        self.snapshot = _snapshot()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # a socket a killed warm process left: the lock says none holds it
        self.listener: socket.socket | None = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(16)
        self.commands: dict[int, Command] = {}  # by a descriptor that becomes readable when the child ends

    def serve(self) -> None:
        while self.listener is not None or self.commands:
            waiting: list[Any] = [*self.commands, *(command.sock for command in self.commands.values() if command.sock)]
            if self.listener is not None:
                waiting.append(self.listener)
            ready = select.select(waiting, [], [], None if self.commands else IDLE_SECONDS)[0]
            if not ready:
                self.stop_listening()  # idle for IDLE_SECONDS
            for each in ready:
                if each is self.listener:
                    self.accept()
                elif isinstance(each, int):
                    self.report(each)
                else:
                    self.forward(each)

    def stop_listening(self) -> None:
        """Take no more commands (those running still get their exit codes), and let a new warm process start."""
        if self.listener is not None:
            self.listener.close()
            self.listener = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    def accept(self) -> None:
        assert self.listener is not None
        try:
            sock, _ = self.listener.accept()
        except OSError:  # no descriptor left, or that grade gave up at once: it runs the command itself
            return
        try:
            request, files = _receive(sock)
        except (OSError, ValueError, KeyError, TypeError):
            sock.close()
            return
        pid = self.start(sock, request, files) if _snapshot() == self.snapshot else None
        for fd in files:
            os.close(fd)
        if pid is None:
            self.stop_listening()  # out of date, or no more processes to be had: that grade runs the command itself
            with contextlib.suppress(OSError):
                sock.sendall(DECLINED)
            sock.close()
            return
        self.commands[os.pidfd_open(pid)] = Command(pid, sock)

    def start(self, sock: socket.socket, request: dict[str, Any], files: list[int]) -> int | None:
        """Fork the child that runs the command (None if there can be none), on the terminal in ``files``. The
        child takes Ctrl-C and the like once it can end cleanly (``ending_signals_held``)."""
        with ending_signals_held() as held:
            try:
                pid = os.fork()
            except OSError:
                return None
            if pid == 0:  # pragma: no cover - runs in the child
                for number, fd in enumerate(files):
                    os.dup2(fd, number)
                    os.close(fd)
                self.become_command(sock, request, held)
        with contextlib.suppress(OSError):  # the child does the same: whichever runs first, signals reach it
            os.setpgid(pid, pid)
        return pid

    def report(self, pidfd: int) -> None:
        """The command's process ended: tell its ``grade`` how."""
        command = self.commands.pop(pidfd)
        os.close(pidfd)
        code = os.waitstatus_to_exitcode(os.waitpid(command.pid, 0)[1])
        if command.sock is not None:
            with contextlib.suppress(OSError):
                command.sock.sendall(CODE.pack(code))
            command.sock.close()

    def forward(self, sock: socket.socket) -> None:
        """A signal the command's ``grade`` received, or its end (its terminal closed): pass it on."""
        command = next((command for command in self.commands.values() if command.sock is sock), None)
        if command is None:  # it ended, and was told so, in this same round
            return
        try:
            data = sock.recv(64)
        except OSError:
            data = b""
        for signum in data or bytes([signal.SIGHUP]):
            with contextlib.suppress(OSError, ValueError):
                os.killpg(command.pid, signum)
        if not data:  # that grade is gone: nothing more comes from it, and no one waits for the exit code
            sock.close()
            command.sock = None

    def become_command(self, sock: socket.socket, request: dict[str, Any], held: set[int]) -> NoReturn:
        """In the forked child: take the terminal (on descriptors 0, 1 and 2 already), folder and environment of
        the ``grade`` that sent ``request``, say so, and run its command as ``grade`` would; if any of that
        cannot be done, decline, and that ``grade`` runs the command itself. The connection stays open until the
        command ends: its ``grade`` waits on it for the parent to say how."""
        global _connection
        try:
            os.setpgid(0, 0)  # signals passed on reach the command and what it forks, as in a terminal
            for pidfd, command in self.commands.items():
                os.close(pidfd)
                if command.sock is not None:
                    command.sock.close()
            if self.listener is not None:
                self.listener.close()
            if self.lock is not None:
                os.close(self.lock)
            for name in ENDING:  # end as after Ctrl-C: the sandbox cleaned up
                signal.signal(getattr(signal, name), signal.default_int_handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # what came meanwhile raises now, here
            os.chdir(request["cwd"])
            os.umask(request["umask"])
            os.environ.clear()
            os.environ.update(request["env"])
            time.tzset()  # local times as that grade's TZ says
            sys.argv = request["argv"]
            sys.modules["__main__"].__package__ = request["package"]  # click names the program from it
            _standard_streams(request["streams"])
            from .commands import finish, run
        except (OSError, LookupError, TypeError, ValueError):
            with contextlib.suppress(OSError):
                sock.sendall(DECLINED)
            os._exit(0)
        except KeyboardInterrupt:  # that grade got Ctrl-C as the command was being handed over
            os._exit(130)
        try:
            sock.sendall(TAKEN)
        except OSError:  # that grade is gone
            os._exit(0)
        warm.served, _connection = True, sock
        finish(run())


def _receive(sock: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The command, and the terminal as three descriptors, that a ``grade`` of this user sends; ValueError for
    anything else (its descriptors closed)."""
    sock.settimeout(REQUEST_SECONDS)
    peer = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    data, files, _, _ = socket.recv_fds(sock, 1 << 16, 3)
    try:
        if peer[1] != os.getuid() or len(files) != 3 or len(data) < HEADER.size:
            raise ValueError("not a grade command of this user")
        (size,) = HEADER.unpack(data[:HEADER.size])
        data = data[HEADER.size:]
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise ValueError("the request ended early")
            data += chunk
        request = json.loads(data)
        if not isinstance(request["argv"], list) or not isinstance(request["env"], dict):
            raise TypeError("not a grade command")
    except BaseException:
        for fd in files:
            os.close(fd)
        raise
    sock.settimeout(None)
    return request, files


def _standard_streams(streams: dict[str, list[Any]]) -> None:
    """New ``sys.stdin``, ``sys.stdout`` and ``sys.stderr`` on the descriptors just taken over, set as the ``grade``
    that sent them had its own (encoding, errors, buffering: Python chose them for that terminal or file)."""
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        encoding, errors, line_buffering, write_through = streams[name]
        mode = "rb" if number == 0 else "wb"
        # For the rest of the process's life: closefd=False, the descriptors stay open.
        raw = open(number, mode, buffering=0 if write_through and number else -1, closefd=False)  # noqa: SIM115
        stream = io.TextIOWrapper(raw, encoding=encoding or "utf-8", errors=errors or "strict",
                                  line_buffering=bool(line_buffering), write_through=bool(write_through))
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def serve(path: str) -> None:
    """The warm process's life: import, listen on ``path``, serve until idle or out of date. Another warm
    process for the same ``path`` holds its lock: then end at once."""
    import fcntl

    lock = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(os.pidfd_open(os.getpid()))  # the kernel can tell a child's end: else there is no warm process
    except OSError:
        return
    _preload()
    WarmProcess(path, lock).serve()
