"""Lesson 9 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They reach
what a request cannot: the table user (a password must be stored as a hash), and the owner of each
item, both read from the database file with a connection of our own, so only committed rows show.
``add_user`` makes an account straight in the database, as register() would, so that the checks
that log in do not depend on the register form. The expectations stay in checks.py.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

FAST_HASH = "pbkdf2:sha256:1000"


def _error(error):
    return f"{type(error).__name__}: {error}"


def _plain(value):
    """``value`` if JSON can carry it as it is, else its repr (a password stored as bytes, say)."""
    return value if value is None or isinstance(value, (int, float, str)) else repr(value)


def add_user(app, username, password):
    """INSERT INTO user (username, password) a new account, its password hashed with werkzeug:
    {"id": the new row's id} or {"error": "Type: message"}."""
    from werkzeug.security import generate_password_hash

    try:
        from shelf.db import get_db

        with app.app_context():
            db = get_db()
            cursor = db.execute("INSERT INTO user (username, password) VALUES (?, ?)",
                                (username, generate_password_hash(password, FAST_HASH)))
            db.commit()
            return {"id": cursor.lastrowid}
    except Exception as error:  # noqa: BLE001 - a missing table or column is the answer
        return {"error": _error(error)}


def _committed(app, sql):
    """The rows of ``sql`` in the app's database file, read with a connection of our own:
    {"rows": [{column: value}, ...]}, {"missing": True} or {"error": "Type: message"}."""
    path = app.config.get("DATABASE")
    if not path or not os.path.exists(path):
        return {"missing": True}
    try:
        connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        return {"error": _error(error)}
    try:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return {"rows": [{name: _plain(value) for name, value in zip(names, row)} for row in cursor]}
    except sqlite3.Error as error:
        return {"error": _error(error)}
    finally:
        connection.close()


def users(app):
    """Every row of the table user: id, username and what is stored as the password."""
    return _committed(app, "SELECT id, username, password FROM user ORDER BY id")


def owners(app):
    """Every item's id, title and owner_id."""
    return _committed(app, "SELECT id, title, owner_id FROM item ORDER BY id")
