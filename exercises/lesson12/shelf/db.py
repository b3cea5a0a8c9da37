"""Shelf's SQLite database: one connection per app context, closed when the context ends.

``get_db()`` keeps the connection on ``g``, so every call during one request shares it;
``close_db`` runs at teardown, whatever happened during the request.
"""

import os
import sqlite3

from flask import Flask, current_app, g


def get_db() -> sqlite3.Connection:
    """The current app context's connection to the database in ``DATABASE``, opened on first use.

    A database file that does not exist yet is created with its tables and starter items.
    """
    if "db" not in g:
        path = current_app.config["DATABASE"]
        is_new = not os.path.exists(path)
        g.db = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES)
        g.db.row_factory = sqlite3.Row  # rows act like dicts: row["title"]
        g.db.execute("PRAGMA foreign_keys = ON")  # SQLite enforces REFERENCES ... ON DELETE only when asked
        if is_new:
            init_db()
    return g.db


def close_db(exception=None):
    """Close the connection, if this context opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    """Drop and recreate every table from schema.sql, which lives inside the package."""
    # open_resource finds the file next to the app's code, wherever the app is run from.
    with current_app.open_resource("schema.sql") as schema:
        get_db().executescript(schema.read().decode("utf-8"))


def init_app(app: Flask) -> None:
    """Close the app's connection at the end of every app context."""
    app.teardown_appcontext(close_db)
