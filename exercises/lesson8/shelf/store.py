"""Shelf's in-memory store.

An item is a dict with an ``id``, ``title``, ``url``, ``tags`` (a list of strings) and ``status``
("unread" or "read"). Each app gets its own ``Store`` (see ``init_app``), so two apps built by
``create_app()`` never share items. It all starts over whenever the app restarts; lesson 8 moves
the items into a real SQLite database.
"""

# TODO 4: this lesson, the items move into the app's database (see shelf/db.py and shelf/schema.sql):
#   - keep the Store class and its methods' names and docstrings: the views and context.py call them;
#   - each method runs SQL through get_db() instead of using self._items; SELECT_ITEMS and _item(row),
#     below, turn the rows of the tables item and tag into the dicts the views expect;
#   - every value reaches SQL as a parameter: a ? in the query's text and the value in the tuple that
#     follows, db.execute("... WHERE id = ?", (item_id,)). Never an f-string, never + or %;
#   - a method that changes rows ends with db.commit(): what is not committed is rolled back when
#     close_db() closes the connection at the end of the request;
#   - then delete what belongs to the list: SEED (schema.sql inserts the starter items), __init__, deepcopy.

from __future__ import annotations

import json
from copy import deepcopy

from flask import Flask, current_app

from shelf.db import get_db, init_db  # TODO 4: the Store's methods use them

# TODO 4: SELECT_ITEMS and _item() are provided. SELECT_ITEMS + " WHERE id = ?" selects one item, with its
#   tags gathered into a JSON list; _item(row) turns a row of it into the dict the views expect.
SELECT_ITEMS = """
    SELECT id, title, url, status,
           (SELECT json_group_array(name) FROM (SELECT name FROM tag WHERE item_id = item.id ORDER BY rowid)) AS tags
    FROM item
"""


def _item(row) -> dict:
    return {"id": row["id"], "title": row["title"], "url": row["url"], "tags": json.loads(row["tags"]),
            "status": row["status"]}


def _like_pattern(text: str) -> str:
    """``text`` anywhere in a string, for LIKE ... ESCAPE '\\': % and _ in ``text`` match themselves."""
    # TODO 5: in LIKE, % means any text and _ any one character. Put a backslash before each \, % and _
    #   of text (the backslash first), then wrap it in % ... % to match it anywhere in a title. The query
    #   says ESCAPE '\' so that SQLite reads \% as a plain %.
    raise NotImplementedError("TODO 5: write _like_pattern() in shelf/store.py")

SEED = [
    {"id": 1, "title": "Flask docs", "url": "https://flask.palletsprojects.com/",
     "tags": ["python", "flask"], "status": "unread"},
    {"id": 2, "title": "PEP 3333", "url": "https://peps.python.org/pep-3333/",
     "tags": ["python", "wsgi"], "status": "unread"},
    {"id": 3, "title": "Jinja docs", "url": "https://jinja.palletsprojects.com/",
     "tags": ["python", "templates"], "status": "unread"},
]


class Store:
    """One app's items, kept in a list."""

    def __init__(self, items: list[dict] | None = None) -> None:
        self.reset(items)

    def reset(self, items: list[dict] | None = None) -> None:
        # TODO 4: with no items, start over with init_db() (schema.sql). With items, DELETE FROM item,
        #   then INSERT each one (its id, title, url, status, and a row in tag for each tag), then commit.
        """Start over with ``items`` (the three seed items by default)."""
        self._items = deepcopy(SEED if items is None else items)

    def all_items(self) -> list[dict]:
        """Every item, oldest first."""
        return list(self._items)

    def get(self, item_id: int) -> dict | None:
        # TODO 4: SELECT_ITEMS + " WHERE id = ?" with (item_id,); fetchone() is None when there is no such row.
        """The item with this id, or None."""
        return next((item for item in self._items if item["id"] == item_id), None)

    def with_tag(self, tag: str) -> list[dict]:
        """The items that carry ``tag``."""
        return [item for item in self._items if tag in item["tags"]]

    def with_tags(self, tags: list[str]) -> list[dict]:
        """The items that carry every one of ``tags``."""
        return [item for item in self._items if all(tag in item["tags"] for tag in tags)]

    def search(self, q: str = "", tags: list[str] | None = None) -> list[dict]:
        # TODO 4, 5: one query, ORDER BY id. Its text is built from fixed pieces only: "title LIKE ? ESCAPE '\\'"
        #   with _like_pattern(q.strip()), and for each tag "id IN (SELECT item_id FROM tag WHERE name = ?)"
        #   with the tag, joined with " AND ". all_items(), with_tag() and with_tags() can then call search().
        """The items whose title contains ``q`` (ignoring case) and that carry all ``tags``."""
        q = q.strip().lower()
        return [item for item in self.with_tags(tags or []) if q in item["title"].lower()]

    def add(self, title: str, url: str, tags: list[str] | None = None) -> dict:
        # TODO 4: INSERT INTO item (title, url, status) VALUES (?, ?, ?); cursor.lastrowid is the new id. Then
        #   one INSERT INTO tag (item_id, name) VALUES (?, ?) per tag (db.executemany), db.commit(), and return
        #   self.get(new_id).
        """Save a new unread item and return it."""
        item = {"id": max((i["id"] for i in self._items), default=0) + 1, "title": title, "url": url,
                "tags": list(tags or []), "status": "unread"}
        self._items.append(item)
        return item


    # TODO 6: def delete(self, item_id: int) -> bool: DELETE FROM item WHERE id = ?, commit, and return whether
    #   a row went (cursor.rowcount > 0). The item's tags go with it: ON DELETE CASCADE in schema.sql.

def init_app(app: Flask) -> None:
    """Give ``app`` a new store of its own, holding the seed items."""
    # TODO 4: the items now live in the database named by app.config["DATABASE"]; the Store keeps nothing.
    app.extensions["shelf_store"] = Store()


def get_store() -> Store:
    """The store of the current app. Like ``current_app``, it needs an app context."""
    return current_app.extensions["shelf_store"]
