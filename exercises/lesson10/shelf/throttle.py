"""Throttle: a small Flask extension that limits how often one client may call a view.

    throttle = Throttle()          # at import time: no app yet
    throttle.init_app(app)         # in create_app(), once per app

    @bp.post("/items")
    @throttle.limit()              # THROTTLE_DEFAULT_LIMIT calls per THROTTLE_WINDOW seconds
    def create(): ...

The extension object keeps no app and no counts: one ``Throttle`` serves every app that
``create_app()`` builds. Each app's counts live in ``app.extensions["throttle"]``, and
``current_app`` finds the right app while a request is handled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

# TODO 7: a blinker signal, sent with the app as sender and endpoint=... when a request is refused:
#         signals = Namespace(), then request_throttled = signals.signal("request-throttled").


class ThrottleState:
    """One app's counts: ``(client address, endpoint) → (window start, calls in the window)``."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str | None, str | None], tuple[float, int]] = {}
        self.lock = threading.Lock()  # a threaded server handles requests at the same time


class Throttle:
    def __init__(self, app: Flask | None = None) -> None:
        # TODO 3: when an app is given (Throttle(app), for an app made without a factory), set it up now.
        #         Keep nothing else on self: no self.app.
        raise NotImplementedError("TODO 3: Throttle.__init__")

    def init_app(self, app: Flask) -> None:
        """Set up ``app``: default settings (a value the app already has wins) and its own counts."""
        # TODO 3: the defaults THROTTLE_ENABLED=True, THROTTLE_DEFAULT_LIMIT=60 and THROTTLE_WINDOW=60 (seconds),
        #         with app.config.setdefault; then app.extensions["throttle"] = a new ThrottleState().
        raise NotImplementedError("TODO 3: Throttle.init_app")

    def reset(self) -> None:
        """Forget the current app's counts (needs an app context)."""
        # TODO 5: clear current_app.extensions["throttle"].counts, holding its lock.
        raise NotImplementedError("TODO 5: Throttle.reset")

    def limit(self, calls: int | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Allow each client ``calls`` calls of the view per window (``THROTTLE_DEFAULT_LIMIT`` if None)."""
        # TODO 4: return a decorator whose wrapper (with functools.wraps) counts each call of the view per
        #         (request.remote_addr, request.endpoint) in the current app's ThrottleState, in fixed windows of
        #         THROTTLE_WINDOW seconds (time.monotonic()). An allowed call returns the view's response with
        #         X-RateLimit-Limit and X-RateLimit-Remaining; the call over the limit raises werkzeug's
        #         TooManyRequests(retry_after=<seconds until the window ends>).
        # TODO 6: when current_app.config["THROTTLE_ENABLED"] is false, the wrapper just calls the view.
        # TODO 7: send request_throttled just before refusing a call.
        raise NotImplementedError("TODO 4: Throttle.limit")
