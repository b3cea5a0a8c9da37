"""Lesson 8 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They reach
what a request cannot: the connection ``get_db()`` hands out in one app context and the next, the
database file itself (read with a connection of our own, so only committed rows show), the store
(to save an item without depending on who may post one), apps built with another ``DATABASE`` or
none, and ``flask init-db`` run from another folder. The expectations stay in checks.py.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path


def _error(error):
    return f"{type(error).__name__}: {error}"


def _outcome(function):
    """Call ``function()``: {"value": ...} (a repr unless JSON can carry it), or {"error": "Type: message"}."""
    try:
        value = function()
    except Exception as error:  # noqa: BLE001 - what the student's code raised is the answer
        return {"error": _error(error)}
    if not (value is None or isinstance(value, (bool, int, float, str))):
        value = repr(value)
    return {"value": value}


def _names(functions):
    return [getattr(function, "__name__", repr(function)) for function in functions]


def connection_lifecycle(app):
    """get_db() twice in one app context, what its rows and settings are, whether the connection
    still works once the context has ended, and what get_db() gives in the next context."""
    where = {"teardown_appcontext": _names(app.teardown_appcontext_funcs),
             "teardown_request": _names(app.teardown_request_funcs.get(None, []))}
    try:
        from shelf.db import get_db
    except Exception as error:  # noqa: BLE001 - a missing module or function is the answer
        return {"error": _error(error), "where": where}
    try:
        with app.app_context():
            first = get_db()
            result = {"type": type(first).__name__, "same": get_db() is first, "where": where}
            if not isinstance(first, sqlite3.Connection):
                return result
            row = first.execute("SELECT 'Flask docs' AS title").fetchone()
            result["row"] = {"type": type(row).__name__, "by_name": _outcome(lambda: row["title"])}
            result["foreign_keys"] = first.execute("PRAGMA foreign_keys").fetchone()[0]
        result["after"] = _outcome(lambda: first.execute("SELECT 1").fetchone()[0])
        with app.app_context():
            result["next_is_new"] = get_db() is not first
    except Exception as error:  # noqa: BLE001 - the student's get_db() may raise anything
        return {"error": _error(error), "where": where}
    return result


def _read(path):
    """What is committed in the database file at ``path``, read with a connection of our own:
    {"items": [[id, title, url], ...], "tags": [[item_id, name], ...]}, {"missing": True}, or {"error": ...}."""
    if not os.path.exists(path):
        return {"missing": True}
    try:
        connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        return {"error": _error(error)}
    try:
        items = [list(row) for row in connection.execute("SELECT id, title, url FROM item ORDER BY id")]
        try:
            tags = [list(row) for row in connection.execute("SELECT item_id, name FROM tag ORDER BY item_id")]
        except sqlite3.Error:
            tags = None
        return {"items": items, "tags": tags}
    except sqlite3.Error as error:
        return {"error": _error(error)}
    finally:
        connection.close()


def rows(app):
    """The rows committed to the file the app's DATABASE names."""
    return _read(app.config["DATABASE"])


def init_db_elsewhere(app):
    """`flask init-db` with another folder as the current directory, as when it is run from
    anywhere but the project's folder."""
    here = os.getcwd()
    elsewhere = tempfile.mkdtemp(prefix="elsewhere-")
    try:
        os.chdir(elsewhere)
        with app.app_context():  # like the real flask command
            result = app.test_cli_runner().invoke(args=["init-db"])
        raised = result.exception
        return {"exit_code": result.exit_code, "output": result.output,
                "raised": None if raised is None or isinstance(raised, SystemExit) else _error(raised)}
    finally:
        os.chdir(here)
        shutil.rmtree(elsewhere, ignore_errors=True)


def add_item(app, item):
    """Save ``item`` through the app's own store, in an app context as a request would: {"id": ...} or
    {"error": ...}. Whatever the store does not commit is lost when the context ends."""
    try:
        with app.app_context():
            saved = app.extensions["shelf_store"].add(item["title"], item["url"], item.get("tags", []))
    except Exception as error:  # noqa: BLE001 - the check explains what the student's store raised
        return {"error": _error(error)}
    item_id = saved.get("id") if isinstance(saved, dict) else None
    return {"id": item_id if isinstance(item_id, int) else None}


def default_database(app):
    """An app built without a DATABASE setting: where its database would be, and whether the folder
    for it exists once create_app() has returned. Paths are relative to the project's folder."""
    import shelf

    try:
        plain = shelf.create_app({"TESTING": True})
    except Exception as error:  # noqa: BLE001 - the check explains what the student's factory raised
        return {"error": _error(error)}
    value = plain.config.get("DATABASE")
    return {
        "database": os.path.relpath(value, os.getcwd()) if isinstance(value, (str, os.PathLike)) else repr(value),
        "expected": os.path.relpath(os.path.join(plain.instance_path, "shelf.sqlite"), os.getcwd()),
        "folder_exists": os.path.isdir(plain.instance_path),
    }


def second_database(app, item):
    """A second app whose DATABASE is other.sqlite, next to the first app's database: save ``item``
    through its store, then read both files and the instance folder's default one, and ask the
    first app for the item."""
    import shelf

    other = os.path.join(os.path.dirname(app.config["DATABASE"]), "other.sqlite")
    try:
        second = shelf.create_app({"TESTING": True, "DATABASE": other})
    except Exception as error:  # noqa: BLE001 - the check explains what the student's factory raised
        return {"error": _error(error)}
    saved = add_item(second, item)
    item_id = saved.get("id") or 4
    return {
        "config": second.config.get("DATABASE") == other,
        "saved": saved,
        "other": _read(other),
        "first": _read(app.config["DATABASE"]),
        "instance": _read(os.path.join(second.instance_path, "shelf.sqlite")),
        "first_app": app.test_client().get(f"/api/items/{item_id}").status_code,
    }
