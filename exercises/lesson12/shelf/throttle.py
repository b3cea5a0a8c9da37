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

import math
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from blinker import Namespace
from flask import Flask, current_app, make_response, request
from werkzeug.exceptions import TooManyRequests

signals = Namespace()
#: Sent with the app as sender and ``endpoint=`` when a request is refused.
request_throttled = signals.signal("request-throttled")


class ThrottleState:
    """One app's counts: ``(client address, endpoint) → (window start, calls in the window)``."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str | None, str | None], tuple[float, int]] = {}
        self.lock = threading.Lock()  # a threaded server handles requests at the same time


class Throttle:
    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Set up ``app``: default settings (a value the app already has wins) and its own counts."""
        app.config.setdefault("THROTTLE_ENABLED", True)
        app.config.setdefault("THROTTLE_DEFAULT_LIMIT", 60)
        app.config.setdefault("THROTTLE_WINDOW", 60)
        app.extensions["throttle"] = ThrottleState()

    def reset(self) -> None:
        """Forget the current app's counts (needs an app context)."""
        state: ThrottleState = current_app.extensions["throttle"]
        with state.lock:
            state.counts.clear()

    def limit(self, calls: int | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Allow each client ``calls`` calls of the view per window (``THROTTLE_DEFAULT_LIMIT`` if None)."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def throttled_view(*args: Any, **kwargs: Any) -> Any:
                app = current_app._get_current_object()  # the real app: signals need it, not the proxy
                if not app.config["THROTTLE_ENABLED"]:
                    return view(*args, **kwargs)
                allowed = calls or app.config["THROTTLE_DEFAULT_LIMIT"]
                remaining = self._count(app, allowed)
                response = make_response(view(*args, **kwargs))
                response.headers["X-RateLimit-Limit"] = str(allowed)
                response.headers["X-RateLimit-Remaining"] = str(remaining)
                return response

            return throttled_view

        return decorator

    @staticmethod
    def _count(app: Flask, allowed: int) -> int:
        """Count this call; return how many are left, or refuse it with 429 Too Many Requests."""
        state: ThrottleState = app.extensions["throttle"]
        window = app.config["THROTTLE_WINDOW"]
        key = (request.remote_addr, request.endpoint)
        now = time.monotonic()
        with state.lock:
            start, used = state.counts.get(key, (now, 0))
            if now - start >= window:  # a new window begins
                start, used = now, 0
            if used < allowed:
                state.counts[key] = (start, used + 1)
                return allowed - used - 1
        request_throttled.send(app, endpoint=request.endpoint)
        raise TooManyRequests(retry_after=math.ceil(window - (now - start)))
