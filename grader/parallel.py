"""One submission graded on two cores: a second grader process, forked once the checks are collected
and the student's app imported, runs checks from the end of the list while the first runs them from
the start (the lesson's own first, shown as they finish), until none is left.

Each process runs its checks one after another on workers of its own, as a batch runs them in one
process; which process runs which check depends on timing, and changes no verdict (the project's
tests grade every solution, starter and mutant this way and with a never-used app for every check).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict

import pytest

from .report import CheckResult
from .sandbox import Sandbox, protocol
from .sandbox.processes import ending_signals_held

SPARE_SECONDS = 5.0  # for the second process to send its results once the submission's time is up


class Claims:
    """Which checks are left, shared by two grader processes: a pipe holding one byte per check.

    Taking a byte is atomic, so each check is claimed once: this process maps the bytes it takes to
    checks from the start of the list, the second process to checks from the end, and they meet
    wherever the work splits evenly.
    """

    def __init__(self, count: int) -> None:
        self.read, write = os.pipe()
        os.write(write, b"." * count)
        os.close(write)  # so an empty pipe reads as its end

    def _take(self, items: list[pytest.Item], order: Iterable[int]) -> Iterator[pytest.Item]:
        try:
            for index in order:
                if not os.read(self.read, 1):
                    return
                yield items[index]
        finally:
            os.close(self.read)

    def from_the_start(self, items: list[pytest.Item]) -> Iterator[pytest.Item]:
        return self._take(items, range(len(items)))

    def from_the_end(self, items: list[pytest.Item]) -> Iterator[pytest.Item]:
        return self._take(items, reversed(range(len(items))))


class Helper:
    """A second grader process, forked once the checks are collected and the app imported: it runs the
    checks it claims (``judge(items)``) on workers of its own (the zygote's spare channel) and sends
    back their results."""

    def __init__(self, sandbox: Sandbox, judge: Callable[[Iterator[pytest.Item]], dict[str, CheckResult]],
                 items: Iterator[pytest.Item]) -> None:
        self.sandbox = sandbox
        self.sock, theirs = socket.socketpair()
        with ending_signals_held() as held:
            self.pid = os.fork()
            if self.pid == 0:  # pragma: no cover - runs in the forked grader
                try:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)  # Ctrl-C ends it from here on, as it does the first
                    self.sock.close()
                    sandbox.take_spare_channel()
                    judged = judge(items)
                    protocol.send(theirs, {"results": {nodeid: asdict(result) for nodeid, result in judged.items()}})
                    sandbox.discard_worker()
                finally:
                    os._exit(0)
        theirs.close()

    def results(self) -> dict[str, CheckResult] | None:
        """The second process's verdicts, by node id; None if it ended without them."""
        try:
            timeout = max(1.0, self.sandbox.deadline - time.monotonic()) + SPARE_SECONDS
            sent = protocol.receive(self.sock, timeout=timeout)["results"]
        except (protocol.ChannelClosed, protocol.ChannelTimeout, protocol.MessageTooLarge, KeyError):
            sent = None
        finally:
            self.sock.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        if sent is None:
            return None
        return {nodeid: CheckResult(**dict(data, hints=tuple(data["hints"]))) for nodeid, data in sent.items()}
