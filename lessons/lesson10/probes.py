"""Lesson 10 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They reach
what a request cannot: the extensions an app has, the ``Throttle`` class set up on bare Flask apps
of our own (both ways an extension can be set up), two more apps from ``create_app()`` whose counts
must stay apart, the ``Throttle`` object's own attributes, and a receiver connected to the
``request_throttled`` signal. The expectations stay in checks.py.
"""

from __future__ import annotations

import importlib
import os

from flask import Flask
from werkzeug.local import LocalProxy

SETTINGS = ("THROTTLE_ENABLED", "THROTTLE_DEFAULT_LIMIT", "THROTTLE_WINDOW")
ITEM = {"title": "Throttled", "url": "https://flask.palletsprojects.com/extensiondev/"}


def _error(error):
    return f"{type(error).__name__}: {error}"


def _plain(value):
    """``value`` if JSON can carry it as it is, else its repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _find(module, name):
    """``module.name`` from the student's package, or raise with a message that says what is missing."""
    found = getattr(importlib.import_module(module), name, None)
    if found is None:
        raise LookupError(f"{module.replace('.', '/')}.py has no {name}")
    return found


def extension_names(app):
    """The keys of ``app.extensions``: what each extension's init_app() registered on the app."""
    return sorted(app.extensions)


def throttle_setups(app):
    """``Throttle(app)`` and ``Throttle().init_app(app)`` on bare Flask apps, and ``init_app`` on an
    app that already has THROTTLE_* settings: is ``app.extensions["throttle"]`` there, and what
    are the settings afterwards (None when missing)?"""
    try:
        throttle_class = _find("shelf.throttle", "Throttle")
    except Exception as error:  # noqa: BLE001 - a missing module or class is the answer
        return {"error": _error(error)}
    preset = {"THROTTLE_ENABLED": False, "THROTTLE_DEFAULT_LIMIT": 5, "THROTTLE_WINDOW": 10}
    results = {}
    for style in ("direct", "factory", "preset"):
        bare = Flask(f"throttle_{style}")
        if style == "preset":
            bare.config.update(preset)
        try:
            if style == "direct":
                throttle_class(bare)
            else:
                throttle_class().init_app(bare)
        except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
            results[style] = {"error": _error(error)}
            continue
        results[style] = {"extension": "throttle" in bare.extensions,
                          "config": {key: _plain(bare.config.get(key)) for key in SETTINGS}}
    return results


def two_views(app):
    """A bare Flask app with ``Throttle(app)`` and two views, ``limit(1)`` and ``limit(2)``:
    the statuses of POST /one twice, then POST /two three times."""
    bare = Flask("two_views")
    try:
        throttle = _find("shelf.throttle", "Throttle")(bare)

        @bare.post("/one")
        @throttle.limit(1)
        def one():
            return "one"

        @bare.post("/two")
        @throttle.limit(2)
        def two():
            return "two"
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        return {"error": _error(error)}
    client = bare.test_client()
    return {"statuses": [client.post(path).status_code for path in ("/one", "/one", "/two", "/two", "/two")]}


def _post_item(built):
    return built.test_client().post("/api/items", json=ITEM).status_code


def _new_app(app, name, settings):
    """Another app from the student's create_app(), with a database of its own next to the check's."""
    import shelf

    database = os.path.join(os.path.dirname(app.config["DATABASE"]), f"{name}.sqlite")
    return shelf.create_app({"TESTING": True, "DATABASE": database, **settings})


def statuses_of_new_app(app, settings, posts):
    """A new app from create_app(settings): the statuses of ``posts`` calls of POST /api/items."""
    try:
        built = _new_app(app, "another", settings)
    except Exception as error:  # noqa: BLE001 - the check explains what the student's factory raised
        return {"error": _error(error)}
    return [_post_item(built) for _ in range(posts)]


def apps_apart(app):
    """Two more apps from create_app() with THROTTLE_DEFAULT_LIMIT=2: POST /api/items on the first
    twice, on the second once, on the first again; then throttle.reset() in the first app's context
    and one more POST on it. Also: which attributes of the Throttle object hold a Flask app?"""
    try:
        throttle = _find("shelf.extensions", "throttle")
        first, second = (_new_app(app, name, {"THROTTLE_DEFAULT_LIMIT": 2}) for name in ("first", "second"))
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        return {"error": _error(error)}
    statuses = [_post_item(first), _post_item(first), _post_item(second), _post_item(first)]
    try:
        with first.app_context():
            throttle.reset()
        reset = {"status": _post_item(first)}
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        reset = {"error": _error(error)}
    holds_app = sorted(name for name, value in vars(throttle).items() if isinstance(value, Flask))
    return {"statuses": statuses, "reset": reset, "holds_app": holds_app}


def signal_receipts(app):
    """Connect a receiver to shelf.throttle.request_throttled, POST /api/items twice (the limit is 1),
    and report every call the receiver got: is the sender the app itself, and with which keywords?"""
    try:
        signal = _find("shelf.throttle", "request_throttled")
        if not callable(getattr(signal, "connect", None)):
            return {"error": f"request_throttled is a {type(signal).__name__}, not a blinker signal"}
    except Exception as error:  # noqa: BLE001 - a missing module or name is the answer
        return {"error": _error(error)}
    receipts = []

    def receiver(sender, **extra):
        receipts.append({"is_app": sender is app, "proxy": isinstance(sender, LocalProxy),
                         "type": type(sender).__name__,
                         "extra": {key: _plain(value) for key, value in extra.items()}})

    signal.connect(receiver)  # the local name keeps the receiver alive: blinker holds weak references
    try:
        client = app.test_client()
        statuses = [client.post("/api/items", json=ITEM).status_code for _ in range(2)]
    finally:
        signal.disconnect(receiver)
    return {"statuses": statuses, "receipts": receipts}


def unhandled_error_log(app, request_id):
    """A new app from create_app() with one more view that raises ZeroDivisionError; GET it with an
    X-Request-ID, and report what app.logger logged meanwhile: each record's level, its message and the
    line each of the logger's handlers would write."""
    import logging

    try:
        built = _new_app(app, "errors", {})
    except Exception as error:  # noqa: BLE001 - the check explains what the student's factory raised
        return {"error": _error(error)}

    def divide_by_zero():
        return str(1 / 0)

    built.add_url_rule("/grader-divides-by-zero", "grader_divides_by_zero", divide_by_zero)
    logger = built.logger
    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            shown = [record.getMessage()]
            for handler in logger.handlers:
                if handler is not self:
                    try:
                        shown.append(handler.format(record))
                    except Exception:  # noqa: BLE001 - a formatter that fails here only loses this view
                        pass
            records.append({"level": record.levelname, "shown": shown})

    capture = Capture()
    logger.addHandler(capture)
    try:
        built.test_client().get("/grader-divides-by-zero", headers={"X-Request-ID": request_id})
        raised = None
    except ZeroDivisionError as error:  # TESTING: the error goes on to the test client, after the signal
        raised = _error(error)
    finally:
        logger.removeHandler(capture)
    return {"raised": raised, "records": records}
