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
    # TODO 2: the first call in an app context opens the connection and keeps it on g; later calls return it:
    #       if "db" not in g:
    #           g.db = sqlite3.connect(current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES)
    #           g.db.row_factory = sqlite3.Row           rows act like dicts: row["title"]
    #           g.db.execute("PRAGMA foreign_keys = ON")  SQLite enforces ON DELETE CASCADE only when asked
    #       return g.db
    #   Read the path from current_app.config when you connect: never a path written here, never a
    #   connection kept in a module-level variable.
    #
    # TODO 3: sqlite3.connect() creates a missing file, empty. Note whether the file existed
    #   (os.path.exists(path)) before connecting, and if it did not, call init_db() once the connection
    #   is on g: a new database then starts with its tables and the three starter items.
    raise NotImplementedError("TODO 2: write get_db() in shelf/db.py")


def close_db(exception=None):
    """Close the connection, if this context opened one."""
    # TODO 2: take the connection off g with g.pop("db", None), and close it if there was one.
    raise NotImplementedError("TODO 2: write close_db() in shelf/db.py")


def init_db():
    """Drop and recreate every table from schema.sql, which lives inside the package."""
    # TODO 3: read schema.sql with current_app.open_resource("schema.sql") (it opens in binary mode: decode the
    #   bytes as UTF-8) and run the whole script with get_db().executescript(...). open("schema.sql") would
    #   look in the folder flask happens to be run from.
    raise NotImplementedError("TODO 3: write init_db() in shelf/db.py")


def init_app(app: Flask) -> None:
    """Close the app's connection at the end of every app context."""
    # TODO 2: app.teardown_appcontext(close_db). Not teardown_request: flask init-db has an app context but
    #   no request.
    raise NotImplementedError("TODO 2: write db.init_app(app) in shelf/db.py")
