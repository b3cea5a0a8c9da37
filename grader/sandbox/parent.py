"""The grader's handle on one submission's sandbox: start it, fork workers to run the checks, kill it all.

See ``child.py`` for the other side. Every wait on the child has a deadline, and every process the
child made is killed when grading ends. Where the Linux mechanism is not to be had (``capabilities``),
the workers are spawned instead (``spawned.Spawner``): only starting the sandbox, getting a worker and
ending them differ.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from . import protocol
from .capabilities import Mechanism, mechanism
from .copying import NotCopied, copy_submission
from .errors import AppDidNotLoad, LimitExceeded, StudentError, TimedOut
from .limits import Limits
from .folders import new_folder
from .network import connect_to
from .processes import (become_subreaper, cut_off_inherited_files, describe_exit, ending_signals_held, host_pid,
                        kill_group, kill_orphans)
from .spawned import Spawner
from .untrusted_files import read_capped, size_of

# The sandboxes live in memory where the machine has a memory file system (unless TMPDIR says where):
# checks that make a new database each do not wait for the disk. confine() makes the rest of that file
# system read-only.
MEMORY_FOLDER = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK | os.X_OK) else None


class Worker:
    """A process forked from the zygote (or spawned), with a never-used app, that runs checks one at a time."""

    def __init__(self, sandbox: Sandbox, pid: int, sock: socket.socket, host: int | None, output: Path) -> None:
        self.sandbox = sandbox
        self.pid = pid  # as the sandbox numbers it
        self.host = host  # as the grader does (None: it has ended)
        self.sock = sock
        self._output_file = output  # what it prints goes there
        self._start_clock()
        self.output_from = 0
        self.closed = False

    def _start_clock(self) -> None:
        self.deadline = time.monotonic() + self.sandbox.time_for_a_check()

    def _receive(self, action: str) -> dict[str, Any]:
        try:
            return protocol.receive(self.sock, timeout=max(0.0, self.deadline - time.monotonic()))
        except protocol.ChannelTimeout:
            self.close(kill=True)
            limit = self.sandbox.limits
            if time.monotonic() >= self.sandbox.deadline:
                raise TimedOut(f"{action} was still running when the time for the whole submission "
                               f"({limit.submission_seconds:g} s) ran out") from None
            raise TimedOut(f"{action} did not finish within {limit.check_seconds:g} s: "
                           "is there an endless loop, or a call that waits forever?") from None
        except protocol.MessageTooLarge:
            self.close(kill=True)
            raise LimitExceeded(f"{action} produced a reply larger than the grader accepts") from None
        except protocol.Garbled:
            self.close(kill=True)
            raise LimitExceeded(f"{action} sent the grader a reply it cannot read: your code wrote to the "
                                "grader's channel") from None
        except protocol.ChannelClosed:
            self.close(kill=True)
            code = self.sandbox.exit_code(self.pid)
            raise LimitExceeded(f"{action} made your app's process exit ({describe_exit(code, self.sandbox.limits)})") from None

    def hello(self) -> None:
        reply = self._receive("building the app")
        if "load_error" in reply:
            raise AppDidNotLoad(reply["load_error"])
        if "raised" in reply:
            raise StudentError("building the app", reply["raised"])

    def call(self, action: str, op: str, **arguments: Any) -> Any:
        """Run ``op`` in the worker; raise StudentError if student code raised."""
        if self.closed:
            raise LimitExceeded(f"{action} could not run: the app's process already ended")
        protocol.send(self.sock, {"op": op, **arguments})
        reply = self._receive(action)
        if "raised" in reply:
            raise StudentError(action, reply["raised"])
        return reply.get("ok")

    def next_check(self, config: dict[str, Any] | None, new_app: bool = False) -> bool:
        """Get ready to run another check: new test clients, the time limit anew, and the app for the
        check's settings (``new_app``: one built now, from a factory). False if there is no factory to build one."""
        self._start_clock()
        self.output_from = size_of(self._output_file)
        return bool(self.call("building the app", "next_check", config=config, new_app=new_app))

    def output(self) -> str:
        """What the student's code printed during the current check (capped)."""
        return read_capped(self._output_file, self.output_from)

    def connect(self, port: int, timeout: float) -> socket.socket:
        """A connection to a server the student's code serves on 127.0.0.1:``port``, in the sandbox's network."""
        if self.host is None:
            raise ConnectionRefusedError(f"nothing serves on port {port}: the app's process has ended")
        return connect_to(self.host, port, timeout)

    def close(self, kill: bool = False) -> None:
        """End the worker: ask it to stop, or with ``kill`` kill it and everything it started."""
        if self.closed:
            return
        self.closed = True
        if kill and self.host is not None:
            kill_group(self.host)
        else:
            try:
                protocol.send(self.sock, {"op": "end"})
            except OSError:
                pass
        self.sock.close()


class Sandbox:
    """One submission, imported once in a child process, ready to fork a fresh app per check."""

    live: ClassVar[set[int]] = set()  # zygotes of every sandbox still open in this process

    def __init__(self, source: Path, app_spec: str, config: dict[str, Any], limits: Limits,
                 probes: Sequence[Path] = (), hidden: Sequence[Path] = ()) -> None:
        self.source = source
        self.probes = [str(path) for path in probes]
        self.hidden = [str(path) for path in hidden]
        self.app_spec = app_spec
        self.config = config
        self.limits = limits
        self._load_error: dict[str, Any] | None = None
        self.ready = False
        self.pid = 0
        self.worker_pids: list[int] = []
        self.shared: Worker | None = None
        self.portable = mechanism() is Mechanism.PORTABLE
        self.spawner: Spawner | None = None  # the portable mechanism's workers, once started
        self.deadline = time.monotonic() + limits.submission_seconds
        self.workdir = new_folder(where=None if os.environ.get("TMPDIR") else MEMORY_FOLDER)
        self.output_dir = self.workdir / "output"
        self.remembered: dict[str, Any] = {}

    def start(self) -> None:
        """Fork the zygote, which imports the student's app while the grader gets its checks ready."""
        root = self.workdir / "submission"
        self.output_dir.mkdir()
        try:
            copy_submission(self.source, root, self.limits.size_mb * 2**20)
        except NotCopied as error:
            problem, fix = error.args
            self.refuse({"title": f"Not graded: {problem}", "detail": fix})
            return
        self.first_output, first = self._new_output()
        job = {"root": str(root), "app": self.app_spec, "config": self.config, "network": False, "output": first,
               "folder_bytes": self.limits.folder_mb * 2**20,
               "workdir": str(self.workdir), "probes": self.probes, "hidden": self.hidden,
               "output_dir": str(self.output_dir), "memory_bytes": self.limits.memory_mb * 2**20,
               "output_bytes": self.limits.output_kb * 1024}
        if self.portable:
            os.close(first)
            self.spawner = Spawner(job, self.limits, self.deadline)
            return
        become_subreaper()
        self.ctrl, theirs = socket.socketpair()
        self.spare_ctrl, spare = socket.socketpair()
        with ending_signals_held() as held:  # a Ctrl-C now ends grading once the zygote is known, to be killed
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child
                try:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)  # the student's code runs with no signal held
                    cut_off_inherited_files(keep={theirs.fileno(), spare.fileno(), first})
                    from .child import zygote_main

                    zygote_main([theirs, spare], job)
                finally:
                    os._exit(70)
            self.pid = pid
            Sandbox.live.add(pid)
        theirs.close()
        spare.close()
        os.close(first)
        with contextlib.suppress(OSError):  # the child does the same: whichever runs first, close() can kill the group
            os.setpgid(pid, pid)

    def refuse(self, load_error: dict[str, Any]) -> None:
        """Run nothing: every check fails for this reason (too large, an archive that cannot be read...)."""
        self._load_error = load_error
        self.ready = True

    @property
    def load_error(self) -> dict[str, Any] | None:
        """Why the student's app did not load, or None; waits for the import to finish."""
        if not self.ready:
            self.ready = True
            timeout = self.time_for_a_check()
            try:
                reply = (protocol.receive(self.ctrl, timeout=timeout) if self.spawner is None
                         else self.spawner.import_reply(timeout))
            except protocol.ChannelTimeout:
                self._load_error = {
                    "title": f"Your app did not finish importing within {timeout:g} s",
                    "detail": "Something at module level runs forever: a server started at import time "
                              "(app.run() or serve()), an endless loop, or a call that waits for input.",
                }
            except (protocol.ChannelClosed, protocol.MessageTooLarge):
                self._load_error = {"title": "Your app's process died while it was being imported",
                                    "detail": describe_exit(self._zygote_exit(), self.limits)}
            else:
                self._load_error = reply.get("load_error")
        return self._load_error

    def _zygote_exit(self) -> int | None:
        if self.spawner is not None:
            return self.spawner.exit_code(self.spawner.first)
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        self.pid = 0
        return os.waitstatus_to_exitcode(status)

    def remember(self, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, a JSON value, once per submission: the first of the grader's processes to need it
        keeps it in the output folder, out of the sandbox's sight, where the second (``parallel``) finds it.
        With the portable mechanism the sandbox could write there: each process keeps its own, in memory."""
        if name not in self.remembered:
            kept = self.output_dir / f"remembered-{name}.json"
            if not self.portable and kept.exists():
                self.remembered[name] = protocol.decode(json.loads(kept.read_text(encoding="utf-8")))
            else:
                self.remembered[name] = compute()
                if not self.portable:
                    written = kept.with_name(f"{kept.name}.{os.getpid()}")
                    written.write_text(json.dumps(protocol.encode(self.remembered[name])), encoding="utf-8")
                    written.replace(kept)  # whole or not at all, for the other process
        return self.remembered[name]

    def time_for_a_check(self) -> float:
        """A check's time limit, cut short by the submission's."""
        return max(0.0, min(self.limits.check_seconds, self.deadline - time.monotonic()))

    def _may_run(self) -> None:
        if self.load_error is not None:
            raise AppDidNotLoad(self.load_error)
        if time.monotonic() >= self.deadline:
            raise LimitExceeded(f"not run: the time for the whole submission ({self.limits.submission_seconds:g} s) ran out")

    def worker_for_check(self, config: dict[str, Any] | None = None, new_app: bool = False) -> Worker:
        """The worker the previous check ran in, ready for the next one, or a new one if it has ended.

        Checks run one after another in one process, which saves a fork per check; ``config`` adds
        to the lesson's test config for this check. ``new_app``: an app no check has used, built anew
        from a factory in that process, or else (a module-level app) in a new process.
        """
        self._may_run()
        if self.limits.strict:
            self.discard_worker()
        if self.shared is not None and not self.shared.closed and not self.shared.next_check(config, new_app):
            self.discard_worker()
        if self.shared is None or self.shared.closed:
            self.shared = self.spawn(config)
        return self.shared

    @property
    def has_worker(self) -> bool:
        """Is there a worker that has run checks (so the next check would run after them)?"""
        return self.shared is not None and not self.shared.closed and not self.limits.strict

    def discard_worker(self) -> None:
        """Kill the worker the checks ran in: the next check gets a never-used app."""
        if self.shared is not None:
            self.shared.close(kill=True)
            self.shared = None

    def spawn(self, config: dict[str, Any] | None = None) -> Worker:
        """A worker with a never-used app; ``config`` adds to the lesson's test config."""
        self._may_run()
        if self.spawner is None:
            pid, sock, output = self._fork_worker(config)
            host = host_pid(self.pid, pid)
        else:
            pid, sock = self.spawner.new_worker(config)
            host, output = pid, self.output_dir / f"worker-{pid}.txt"
        if host is not None:
            self.worker_pids.append(host)
        worker = Worker(self, pid, sock, host, output)
        try:
            worker.hello()
        except BaseException:
            worker.close()
            raise
        return worker

    def _new_output(self) -> tuple[Path, int]:
        """A file of the grader's for a worker to print to: outside the sandbox's sight, named by no one else."""
        fd, path = tempfile.mkstemp(prefix="worker-", suffix=".txt", dir=self.output_dir)
        return Path(path), fd

    def _fork_worker(self, config: dict[str, Any] | None) -> tuple[int, socket.socket, Path]:
        """Ask the zygote for a worker: its pid, its socket, and the file it prints to."""
        output, fd = self._new_output()
        try:
            protocol.send(self.ctrl, {"op": "spawn", "config": config})
            socket.send_fds(self.ctrl, [b"\0"], [fd])
            wait = self.time_for_a_check()
            if not select.select([self.ctrl], [], [], wait)[0]:  # a thread of the student's may hold the zygote up
                raise LimitExceeded(f"your app's process did not start a new one within {wait:g} s")
            data, fds, _, _ = socket.recv_fds(self.ctrl, 8, 1)
        except OSError as error:
            raise LimitExceeded("the grader lost contact with your app's process") from error
        finally:
            os.close(fd)
        if len(data) != 8 or len(fds) != 1:
            for stray in fds:
                os.close(stray)
            raise LimitExceeded("the grader lost contact with your app's process")
        pid, ahead = struct.unpack("!ii", data)
        if ahead:
            output.unlink()
        return pid, socket.socket(fileno=fds[0]), self.first_output if ahead else output

    def take_spare_channel(self) -> None:
        """In a grader process forked to run some of the checks beside this one: ask the zygote for
        workers on the spare channel, with none of the parent's; the parent still owns the sandbox."""
        self.ctrl.close()
        self.ctrl = self.spare_ctrl
        if self.shared is not None:
            self.shared.sock.close()  # the parent's worker: only our copy of its socket
            self.shared = None
        self.worker_pids = []

    def exit_code(self, pid: int) -> int | None:
        """How worker ``pid`` ended (asked of the zygote, which is its parent); None if unknown."""
        if self.spawner is not None:
            return self.spawner.exit_code(pid)
        try:
            protocol.send(self.ctrl, {"op": "status", "pid": pid})
            return protocol.receive(self.ctrl, timeout=5.0).get("code")
        except (OSError, protocol.ChannelClosed, protocol.ChannelTimeout, protocol.MessageTooLarge):
            return None

    def close(self) -> None:
        """Kill the zygote and everything it started, and delete the throw-away copy."""
        self.discard_worker()
        for pid in self.worker_pids:
            kill_group(pid)
        if self.spawner is not None:
            self.spawner.close()
        elif self.pid:
            kill_group(self.pid)
            Sandbox.live.discard(self.pid)
            self._zygote_exit()
        if not self.portable:
            kill_orphans(keep=Sandbox.live)
        if hasattr(self, "ctrl"):
            self.ctrl.close()
            self.spare_ctrl.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:  # an interrupted start leaves nothing running
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
