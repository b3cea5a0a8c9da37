"""The portable sandbox: every worker a fresh Python process, for systems without fork or Linux's namespaces.

The Linux sandbox forks each worker from a zygote that imported the app once. Here each worker is
``python -m grader.sandbox.spawned_worker JOB`` (that module is its side), started with ``subprocess``:
it imports the app itself from
the throw-away copy, waits to be told its check's settings, then serves the very protocol a forked
worker serves (``child.load_app``, ``child.serve_checks``), over a socket it connects back with
(``channel``). The first worker starts at once, so the app imports while pytest collects the checks;
from then on a spare is always starting, so that a check that failed runs again without waiting
for an interpreter to start.

A spawned worker has what the system offers (``restrict.apply_limits``) and no more: nothing is
read-only or hidden (see ``capabilities``). Where the system enforces no memory limit, ``MemoryWatch``
stops a worker that uses too much; and every process a worker starts inherits the sandbox's tag, so
closing the sandbox kills them all, even after ``setsid`` (``processes.kill_tagged``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import protocol
from .capabilities import memory_enforced
from .channel import Listener
from .errors import AppDidNotLoad, LimitExceeded, TimedOut
from .limits import Limits
from .processes import KILLED, describe_exit, kill_group, kill_tagged, tagged

HOME = Path(__file__).resolve().parents[2]  # the folder the grader package is in: workers import this very grader


@dataclass
class _Launched:
    process: subprocess.Popen[bytes]
    token: str
    sock: socket.socket | None = None
    imported: bool = False  # has its import's reply been read?


class Spawner:
    """The spawned workers of one sandbox: starts them, hands them out, knows how each ended, kills them all."""

    def __init__(self, job: dict[str, Any], limits: Limits, deadline: float) -> None:
        self.job = job
        self.limits = limits
        self.deadline = deadline
        self.tag = secrets.token_hex(8)
        self.since = time.time()
        self.listener = Listener()
        self.launched: dict[int, _Launched] = {}
        self.memory = None if memory_enforced() else MemoryWatch(job["memory_bytes"])
        self.job_file = Path(job["workdir"], "job.json")
        self.job_file.write_text(json.dumps(job), encoding="utf-8")
        # What a worker says before it sends its output to the sandbox's output folder. Opened once,
        # before any student code runs: what the folder holds later is never opened by the grader.
        self.log = open(Path(job["workdir"], "spawned.log"), "ab")  # noqa: SIM115 - closed in close()
        self.spare = self._launch()
        self.first = self.spare.process.pid

    def _launch(self) -> _Launched:
        token, channel = self.listener.environment()
        command = [sys.executable, "-m", "grader.sandbox.spawned_worker", str(self.job_file)]
        process = subprocess.Popen(command, cwd=HOME, env={**os.environ, **channel, **tagged(self.tag)},
                                   stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, start_new_session=True)
        launched = _Launched(process, token)
        self.launched[process.pid] = launched
        if self.memory is not None:
            self.memory.watch(process.pid)
        return launched

    def _import(self, launched: _Launched, timeout: float) -> dict[str, Any]:
        """How importing the app went in ``launched``: its first message, within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        launched.sock = self.listener.accept(launched.token, timeout, lambda: launched.process.poll() is None)
        reply = protocol.receive(launched.sock, timeout=max(0.0, deadline - time.monotonic()))
        launched.imported = True
        return reply

    def import_reply(self, timeout: float) -> dict[str, Any]:
        """How importing the app went in the first worker: the sandbox's load error, or ready."""
        return self._import(self.launched[self.first], timeout)

    def new_worker(self, config: dict[str, Any] | None) -> tuple[int, socket.socket]:
        """A worker with a never-used app (``config`` adds to its test config): its pid and its socket, on
        which its app's build is reported next."""
        launched, self.spare = self.spare, self._launch()
        pid = launched.process.pid
        if not launched.imported:
            timeout = max(0.0, min(self.limits.check_seconds, self.deadline - time.monotonic()))
            try:
                reply = self._import(launched, timeout)
            except protocol.ChannelTimeout:
                kill_group(pid)
                raise TimedOut(f"importing your app for a new worker did not finish within {timeout:g} s") from None
            except (protocol.ChannelClosed, protocol.MessageTooLarge):
                kill_group(pid)
                raise LimitExceeded("importing your app for a new worker made its process exit "
                                    f"({describe_exit(self.exit_code(pid), self.limits)})") from None
            if "load_error" in reply:
                kill_group(pid)
                raise AppDidNotLoad(reply["load_error"])
        assert launched.sock is not None
        with contextlib.suppress(OSError):  # it died since: reading its build's reply says how
            protocol.send(launched.sock, {"config": config})
        return pid, launched.sock

    def exit_code(self, pid: int) -> int | None:
        """How worker ``pid`` ended; None if it has not (it stopped answering)."""
        launched = self.launched.get(pid)
        if launched is None:
            return None
        try:
            code = launched.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None
        return KILLED if self.memory is not None and pid in self.memory.stopped else code

    def close(self) -> None:
        """Kill every worker and whatever they started, even what left their process group."""
        if self.memory is not None:
            self.memory.stop()
        for pid in self.launched:
            kill_group(pid)
        for launched in self.launched.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                launched.process.wait(timeout=5)
            if launched.sock is not None:
                launched.sock.close()
        self.listener.close()
        self.log.close()
        kill_tagged(self.tag, self.since)


class MemoryWatch:
    """Where the system enforces no memory limit (macOS, Windows): kill a worker whose processes together hold
    more than ``limit`` bytes, looking every ``INTERVAL`` seconds."""

    INTERVAL = 0.1

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.watched: set[int] = set()
        self.stopped: set[int] = set()
        self._done = threading.Event()
        threading.Thread(target=self._run, name="grade-memory-watch", daemon=True).start()

    def watch(self, pid: int) -> None:
        self.watched.add(pid)

    def stop(self) -> None:
        self._done.set()

    def _run(self) -> None:
        import psutil

        while not self._done.wait(self.INTERVAL):
            for pid in list(self.watched):
                try:
                    root = psutil.Process(pid)
                    used = sum(process.memory_info().rss for process in [root, *root.children(recursive=True)])
                except psutil.Error:  # it ended
                    self.watched.discard(pid)
                    continue
                if used > self.limit:
                    self.stopped.add(pid)
                    self.watched.discard(pid)
                    kill_group(pid)
