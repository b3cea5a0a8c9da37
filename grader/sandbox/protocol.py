"""Length-prefixed JSON messages between the grader and a sandboxed child.

JSON, not pickle: the grader reads what untrusted code wrote, so nothing it reads may run code.
Bytes travel tagged as ``{"__bytes__": "<base64>"}``.
"""

from __future__ import annotations

import base64
import json
import select
import socket
import struct
import time
from typing import Any

HEADER = struct.Struct("!I")
MAX_MESSAGE = 16 * 1024 * 1024  # a response body (at most 8 MB) in base64, and room to spare


class ChannelClosed(Exception):
    """The other side went away (crashed, was killed, or exited)."""


class Garbled(ChannelClosed):
    """The other side sent what is not a message of ours (too deep, not JSON, not an object)."""


class ChannelTimeout(Exception):
    """The other side did not answer in time."""


class MessageTooLarge(Exception):
    """The other side sent more than ``MAX_MESSAGE`` bytes in one message."""


def encode(value: Any) -> Any:
    """Turn bytes (anywhere inside lists and dicts) into JSON-safe tagged values."""
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    """Undo :func:`encode`."""
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    payload = json.dumps(encode(message), default=repr).encode("utf-8")
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _read_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks = []
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([sock], [], [], remaining)[0]:
                raise ChannelTimeout
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise ChannelClosed
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, timeout: float | None = None) -> dict[str, Any]:
    """Read one message; raise ChannelTimeout after ``timeout`` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        (size,) = HEADER.unpack(_read_exactly(sock, HEADER.size, deadline))
        if size > MAX_MESSAGE:
            raise MessageTooLarge(size)
        message = json.loads(_read_exactly(sock, size, deadline))
    except (ConnectionError, OSError) as error:
        raise ChannelClosed from error
    except (ValueError, RecursionError) as error:
        raise Garbled from error
    if not isinstance(message, dict):
        raise Garbled
    return decode(message)
