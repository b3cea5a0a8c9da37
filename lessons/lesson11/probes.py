"""Lesson 11 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They reach
what a request cannot: the class behind an endpoint, items added straight to the store (so that a
check of pagination or of the export does not depend on tokens), a token issued while the clock
is set back (an old token, without waiting for it to expire), a token issued by another Shelf with
another SECRET_KEY, and a receiver connected to lesson 10's ``request_throttled`` signal. The
expectations stay in checks.py.
"""

from __future__ import annotations

import base64
import importlib
import time
from unittest import mock

from flask.views import MethodView, View

# The settings a second app shares with the check's app: the same database, the same accounts.
SHARED = ("DATABASE", "SECRET_KEY", "API_TOKEN_MAX_AGE", "PASSWORD_HASH_METHOD", "WTF_CSRF_ENABLED")


def _error(error):
    return f"{type(error).__name__}: {error}"


def _basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _token_from(built, username, password):
    """POST /api/tokens on ``built`` with Basic credentials: {"status": ..., "token": ... or None}."""
    response = built.test_client().post("/api/tokens", headers=_basic(username, password))
    data = response.get_json(silent=True)
    return {"status": response.status_code, "token": data.get("token") if isinstance(data, dict) else None}


def _another_app(app, settings):
    """A second app from the student's create_app(), on the check's database, with ``settings`` on top."""
    import shelf

    shared = {key: app.config[key] for key in SHARED if key in app.config}
    return shelf.create_app({"TESTING": True, **shared, **settings})


def view_classes(app):
    """For api.items and api.item: is there such an endpoint, which class (if any) made its view
    with as_view(), and is that class a MethodView?"""
    result = {}
    for endpoint in ("api.items", "api.item"):
        view = app.view_functions.get(endpoint)
        cls = getattr(view, "view_class", None)
        is_class = isinstance(cls, type)
        result[endpoint] = {
            "exists": view is not None,
            "function": getattr(view, "__name__", None),
            "class": cls.__name__ if is_class else None,
            "method_view": is_class and issubclass(cls, MethodView),
            "view": is_class and issubclass(cls, View),
        }
    return result


def add_items(app, items):
    """Save ``items`` ({"title", "url", "tags"}) with get_store().add(...): the ids they got."""
    try:
        from shelf.store import get_store

        with app.app_context():
            return {"ids": [get_store().add(item["title"], item["url"], item["tags"])["id"] for item in items]}
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        return {"error": _error(error)}


def token_issued_ago(app, username, password, seconds):
    """POST /api/tokens while the clock reads ``seconds`` earlier than now: a token as old as that."""
    earlier = time.time() - seconds
    try:
        with mock.patch.object(time, "time", lambda: earlier):
            return _token_from(app, username, password)
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        return {"error": _error(error)}


def token_from_another_app(app, username, password):
    """POST /api/tokens on another Shelf: the same database (and accounts), another SECRET_KEY."""
    try:
        return _token_from(_another_app(app, {"SECRET_KEY": "another-shelf-has-another-key"}), username, password)
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        return {"error": _error(error)}


def throttled_posts(app, token, item):
    """On a new app with THROTTLE_DEFAULT_LIMIT=2 (the same database and key, so the token works there),
    a receiver on shelf.throttle.request_throttled, then POST /api/items three times with the token:
    the statuses, and the endpoint each call of the receiver was given."""
    try:
        signal = importlib.import_module("shelf.throttle").request_throttled
        built = _another_app(app, {"THROTTLE_ENABLED": True, "THROTTLE_DEFAULT_LIMIT": 2})
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        return {"error": _error(error)}
    endpoints = []

    def receiver(sender, **extra):
        endpoints.append(str(extra.get("endpoint")))

    signal.connect(receiver)  # the local name keeps the receiver alive: blinker holds weak references
    try:
        client = built.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [client.post("/api/items", json=item, headers=headers).status_code for _ in range(3)]
    finally:
        signal.disconnect(receiver)
    return {"statuses": statuses, "endpoints": endpoints}
