"""Shelf's items, kept in the app's SQLite database (see ``shelf.db``).

An item is a dict with an ``id``, ``title``, ``url``, ``tags`` (a list of strings), ``status``
("unread" or "read") and ``owner_id`` (the user who saved it, None for the starter items).
Every method needs an app context: the connection lives on ``g``. Values reach SQL only through
``?`` placeholders, never by formatting them into the query text.
"""

from __future__ import annotations

import json

from flask import Flask, current_app

from shelf.db import get_db, init_db

# An item's columns and its tags (as a JSON list, in the order they were added), one row per item.
SELECT_ITEMS = """
    SELECT id, title, url, status, owner_id,
           (SELECT json_group_array(name) FROM (SELECT name FROM tag WHERE item_id = item.id ORDER BY rowid)) AS tags
    FROM item
"""


def _item(row) -> dict:
    return {"id": row["id"], "title": row["title"], "url": row["url"], "tags": json.loads(row["tags"]),
            "status": row["status"], "owner_id": row["owner_id"]}


def _like_pattern(text: str) -> str:
    """``text`` anywhere in a string, for LIKE ... ESCAPE '\\': % and _ in ``text`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Store:
    """The items of the current app's database."""

    def reset(self, items: list[dict] | None = None) -> None:
        """Start over with ``items``, or with the three starter items of schema.sql."""
        if items is None:
            init_db()
            return
        db = get_db()
        db.execute("DELETE FROM item")
        for item in items:
            self._insert(db, item.get("id"), item["title"], item["url"], item.get("tags", []),
                         item.get("status", "unread"), item.get("owner_id"))
        db.commit()

    def all_items(self) -> list[dict]:
        """Every item, oldest first."""
        return self.search()

    def get(self, item_id: int) -> dict | None:
        """The item with this id, or None."""
        row = get_db().execute(SELECT_ITEMS + " WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else _item(row)

    def with_tag(self, tag: str) -> list[dict]:
        """The items that carry ``tag``."""
        return self.search(tags=[tag])

    def with_tags(self, tags: list[str]) -> list[dict]:
        """The items that carry every one of ``tags``."""
        return self.search(tags=tags)

    def search(self, q: str = "", tags: list[str] | None = None) -> list[dict]:
        """The items whose title contains ``q`` (ignoring case) and that carry all ``tags``, oldest first."""
        # The query's text is built from fixed pieces only; q and the tags travel as parameters.
        conditions, params = ["title LIKE ? ESCAPE '\\'"], [_like_pattern(q.strip())]
        for tag in tags or []:
            conditions.append("id IN (SELECT item_id FROM tag WHERE name = ?)")
            params.append(tag)
        sql = SELECT_ITEMS + " WHERE " + " AND ".join(conditions) + " ORDER BY id"
        return [_item(row) for row in get_db().execute(sql, params)]

    def add(self, title: str, url: str, tags: list[str] | None = None, owner_id: int | None = None) -> dict:
        """Save a new unread item and return it."""
        db = get_db()
        item_id = self._insert(db, None, title, url, tags or [], "unread", owner_id)
        db.commit()  # without it, the item vanishes when the connection closes
        return self.get(item_id)

    # TODO 5: PATCH /api/items/<id> can mark an item read. Give update() an optional status, and change the
    #   column only when one is given (the edit form of lesson 9 sends none).
    def update(self, item_id: int, title: str, url: str, tags: list[str]) -> dict:
        """Change an item's title, URL and tags; return it."""
        db = get_db()
        db.execute("UPDATE item SET title = ?, url = ? WHERE id = ?", (title, url, item_id))
        db.execute("DELETE FROM tag WHERE item_id = ?", (item_id,))
        db.executemany("INSERT OR IGNORE INTO tag (item_id, name) VALUES (?, ?)", [(item_id, tag) for tag in tags])
        db.commit()
        return self.get(item_id)

    def delete(self, item_id: int) -> bool:
        """Delete the item (its tags go with it); False if there was none."""
        db = get_db()
        deleted = db.execute("DELETE FROM item WHERE id = ?", (item_id,)).rowcount
        db.commit()
        return deleted > 0

    @staticmethod
    def _insert(db, item_id, title, url, tags, status, owner_id) -> int:
        cursor = db.execute("INSERT INTO item (id, title, url, status, owner_id) VALUES (?, ?, ?, ?, ?)",
                            (item_id, title, url, status, owner_id))
        db.executemany("INSERT OR IGNORE INTO tag (item_id, name) VALUES (?, ?)",
                       [(cursor.lastrowid, tag) for tag in tags])
        return cursor.lastrowid


def init_app(app: Flask) -> None:
    """Register the app's store; where its items live is the app's ``DATABASE`` setting."""
    app.extensions["shelf_store"] = Store()


def get_store() -> Store:
    """The store of the current app. Like ``current_app``, it needs an app context."""
    return current_app.extensions["shelf_store"]
