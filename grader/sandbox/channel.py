"""A socket to a process started with ``subprocess``, the same on every system.

Windows cannot hand a socket pair's end to a new process, so the child connects back: the grader
listens on a localhost port, and each process it starts finds the address and a one-use token in its
environment (``ENV``), connects, and sends the token first. A connection without a token the grader
issued is dropped, so no other process on the machine can take a child's place.
"""

from __future__ import annotations

import os
import secrets
import select
import socket
import time
from collections.abc import Callable

from . import protocol

ENV = "GRADE_CHANNEL"
HELLO_SECONDS = 5.0  # for a connected process to send its token


def _quick(sock: socket.socket) -> socket.socket:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # a request and its reply are one message each
    return sock


class Listener:
    """The port the grader's children connect back to, and the connections they made, by token."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.issued: set[str] = set()
        self.arrived: dict[str, socket.socket] = {}

    def environment(self) -> tuple[str, dict[str, str]]:
        """A new token, and the environment variable that tells a child where to connect with it."""
        token = secrets.token_hex(16)
        self.issued.add(token)
        host, port = self.sock.getsockname()[:2]
        return token, {ENV: f"{host}:{port}:{token}"}

    def accept(self, token: str, timeout: float, alive: Callable[[], bool]) -> socket.socket:
        """The connection of the child given ``token``; ChannelTimeout after ``timeout`` seconds, ChannelClosed
        as soon as ``alive()`` says the child has ended."""
        deadline = time.monotonic() + timeout
        while token not in self.arrived:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise protocol.ChannelTimeout
            if not select.select([self.sock], [], [], min(remaining, 0.05))[0]:
                if not alive():
                    raise protocol.ChannelClosed
                continue
            connection, _ = self.sock.accept()
            try:
                hello = protocol.receive(_quick(connection), timeout=HELLO_SECONDS)
            except (protocol.ChannelClosed, protocol.ChannelTimeout, protocol.MessageTooLarge):
                connection.close()
                continue
            if hello.get("token") in self.issued:
                self.issued.discard(hello["token"])
                self.arrived[hello["token"]] = connection
            else:
                connection.close()
        return self.arrived.pop(token)

    def close(self) -> None:
        for connection in self.arrived.values():
            connection.close()
        self.arrived.clear()
        self.sock.close()


def connect_back() -> socket.socket:
    """In a child: connect to the grader that started it, as ``ENV`` says, and prove who we are.

    The variable is removed, so processes this one starts do not inherit it.
    """
    host, port, token = os.environ.pop(ENV).rsplit(":", 2)
    sock = _quick(socket.create_connection((host, int(port))))
    protocol.send(sock, {"token": token})
    return sock
