"""Lesson 7 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. Most of
them call the student's ``create_app`` again, because what this lesson builds is the factory
itself: two apps from it must not share anything, and its settings come in layers (defaults <
instance/config.py < FLASK_* environment variables < test_config). The expectations themselves
stay in checks.py.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

ITEM = {"title": "Only in the first app", "url": "https://first.example/"}


def _factory():
    import shelf

    return shelf.create_app


def _error(error):
    return f"{type(error).__name__}: {error}"


def _plain(value):
    """``value`` if JSON can carry it as it is, else its repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _build(create_app, *args):
    """``create_app(*args)``: (app, None), or (None, "SomeError: why") if it raised."""
    try:
        return create_app(*args), None
    except Exception as error:  # noqa: BLE001 - the check explains what the student's code raised
        return None, _error(error)


@contextmanager
def _settings(app, instance_file=None):
    """For the duration: instance/config.py holds ``instance_file`` (or does not exist), and no
    FLASK_* environment variable is set. Whatever was there before is put back afterwards."""
    folder = Path(app.instance_path)
    path = folder / "config.py"
    hidden = folder / "config.py.hidden-by-grader"
    folder_existed = folder.exists()
    saved_env = {key: value for key, value in os.environ.items() if key.startswith("FLASK_")}
    had_file = path.exists()
    try:
        if had_file:
            path.rename(hidden)
        for key in saved_env:
            del os.environ[key]
        if instance_file is not None:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(instance_file, encoding="utf-8")
        yield path
    finally:
        for key in [key for key in os.environ if key.startswith("FLASK_")]:
            del os.environ[key]
        os.environ.update(saved_env)
        if instance_file is not None and path.exists():
            path.unlink()
        if had_file:
            hidden.rename(path)
        if not folder_existed and folder.exists() and not any(folder.iterdir()):
            folder.rmdir()


def two_apps(app):
    """Call create_app({"TESTING": True}), then create_app() with no argument: what came back?"""
    create_app = _factory()
    first, first_error = _build(create_app, {"TESTING": True})
    second, second_error = _build(create_app)
    apps = [first, second]
    return {
        "errors": [first_error, second_error],
        "types": [type(built).__name__ for built in apps],
        "testing": [_plain(getattr(built, "testing", None)) for built in apps],
        "same": first is not None and first is second,
        "checks_app": any(built is app for built in apps if built is not None),
    }


def separate_stores(app):
    """Two new apps: save an item through the first one's API, then ask both apps (and the check's
    own app) for it. Also: is each app's store its own object?"""
    create_app = _factory()
    first, error = _build(create_app, {"TESTING": True})
    if error:
        return {"error": error}
    second, error = _build(create_app, {"TESTING": True})
    if error:
        return {"error": error}
    stores = [built.extensions.get("shelf_store") for built in (first, second)]
    created = first.test_client().post("/api/items", json=ITEM)
    body = created.get_json(silent=True)
    item_id = body.get("id") if isinstance(body, dict) else None
    path = f"/api/items/{item_id if isinstance(item_id, int) else 4}"
    return {
        "created": {"status": created.status_code, "json": body},
        "path": path,
        "first": first.test_client().get(path).status_code,
        "second": second.test_client().get(path).status_code,
        "checks_app": app.test_client().get(path).status_code,
        "stores": [type(store).__name__ for store in stores],
        "same_store": stores[0] is not None and stores[0] is stores[1],
    }


def default_settings(app):
    """create_app() with no instance/config.py and no FLASK_* variables: its settings."""
    create_app = _factory()
    with _settings(app):
        built, error = _build(create_app)
        if error:
            return {"error": error}
        keys = ("SECRET_KEY", "ITEMS_PER_PAGE", "MAX_CONTENT_LENGTH", "SESSION_COOKIE_SAMESITE")
        return {"config": {key: _plain(built.config.get(key)) for key in keys}}


def _per_page(create_app, *args):
    built, error = _build(create_app, *args)
    if error:
        return {"error": error}
    value = built.config.get("ITEMS_PER_PAGE")
    return {"ITEMS_PER_PAGE": _plain(value), "type": type(value).__name__,
            "SECRET_KEY": _plain(built.config.get("SECRET_KEY"))}


def settings_layers(app):
    """The same setting, ITEMS_PER_PAGE, given at every layer in turn: which value wins?"""
    create_app = _factory()
    source = 'ITEMS_PER_PAGE = 7\nSECRET_KEY = "from-the-instance-file"\n'
    with _settings(app, instance_file=source) as path:
        result = {"instance_file": os.path.relpath(path, os.getcwd()), "instance_source": source}
        result["file"] = _per_page(create_app)
        os.environ["FLASK_ITEMS_PER_PAGE"] = "5"
        os.environ["FLASK_SECRET_KEY"] = "from-the-environment"
        result["env"] = _per_page(create_app)
        result["test_config"] = _per_page(create_app, {"TESTING": True, "ITEMS_PER_PAGE": 3})
    return result


def blueprint_names(app):
    """The names of the blueprints registered on the app."""
    return sorted(app.blueprints)


def match(app, path):
    """Which endpoint the URL map picks for GET ``path``, and the arguments its converters produced:
    ``[endpoint, arguments]``, or None when no rule matches."""
    from werkzeug.exceptions import HTTPException

    try:
        endpoint, arguments = app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return [endpoint, {key: _plain(value) if not isinstance(value, list) else [_plain(v) for v in value]
                       for key, value in arguments.items()}]


def error_handlers(app):
    """Where each error handler is registered: the app itself, or one blueprint (its name)."""
    found = {}
    for scope, by_code in app.error_handler_spec.items():
        names = sorted({cls.__name__ for handlers in by_code.values() for cls in handlers})
        if names:
            found["the app" if scope is None else f"the blueprint {scope!r}"] = names
    return found


def hooks(app):
    """Where the request hooks and context processors are registered: the app, or a blueprint."""
    def where(table):
        return {("the app" if scope is None else f"the blueprint {scope!r}"): [f.__name__ for f in funcs]
                for scope, funcs in table.items() if funcs}

    processors = {scope: [f for f in funcs if f.__name__ != "_default_template_ctx_processor"]
                  for scope, funcs in app.template_context_processors.items()}
    return {
        "before_request": where(app.before_request_funcs),
        "after_request": where(app.after_request_funcs),
        "context_processor": where(processors),
    }


def _layers(built):
    """The WSGI wrappers around a Flask app, outermost first: ProxyFix, DispatcherMiddleware, ..."""
    names = []
    layer = built.wsgi_app
    while len(names) < 10:
        if getattr(layer, "__self__", None) is built:
            names.append("Flask.wsgi_app")
            break
        names.append(type(layer).__name__)
        inner = getattr(layer, "app", None) or getattr(layer, "wsgi_app", None)
        if inner is None:
            break
        layer = inner
    return names


def middleware_of_new_apps(app):
    """Two new apps from create_app(): are they different objects, and does each have the middleware?"""
    create_app = _factory()
    apps = []
    for _ in range(2):
        built, error = _build(create_app, {"TESTING": True})
        if error:
            return {"error": error}
        apps.append(built)
    return {
        "same": apps[0] is apps[1],
        "powered_by": [built.test_client().get("/").headers.get("X-Powered-By") for built in apps],
        "layers": [_layers(built) for built in apps],
    }
