"""Shelf's in-memory store.

An item is a dict with an ``id``, ``title``, ``url``, ``tags`` (a list of strings) and ``status``
("unread" or "read"). Each app gets its own ``Store`` (see ``init_app``), so two apps built by
``create_app()`` never share items. It all starts over whenever the app restarts; lesson 8 moves
the items into a real SQLite database.
"""

from __future__ import annotations

from copy import deepcopy

from flask import Flask, current_app

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
        """Start over with ``items`` (the three seed items by default)."""
        self._items = deepcopy(SEED if items is None else items)

    def all_items(self) -> list[dict]:
        """Every item, oldest first."""
        return list(self._items)

    def get(self, item_id: int) -> dict | None:
        """The item with this id, or None."""
        return next((item for item in self._items if item["id"] == item_id), None)

    def with_tag(self, tag: str) -> list[dict]:
        """The items that carry ``tag``."""
        return [item for item in self._items if tag in item["tags"]]

    def with_tags(self, tags: list[str]) -> list[dict]:
        """The items that carry every one of ``tags``."""
        return [item for item in self._items if all(tag in item["tags"] for tag in tags)]

    def search(self, q: str = "", tags: list[str] | None = None) -> list[dict]:
        """The items whose title contains ``q`` (ignoring case) and that carry all ``tags``."""
        q = q.strip().lower()
        return [item for item in self.with_tags(tags or []) if q in item["title"].lower()]

    def add(self, title: str, url: str, tags: list[str] | None = None) -> dict:
        """Save a new unread item and return it."""
        item = {"id": max((i["id"] for i in self._items), default=0) + 1, "title": title, "url": url,
                "tags": list(tags or []), "status": "unread"}
        self._items.append(item)
        return item


def init_app(app: Flask) -> None:
    """Give ``app`` a new store of its own, holding the seed items."""
    app.extensions["shelf_store"] = Store()


def get_store() -> Store:
    """The store of the current app. Like ``current_app``, it needs an app context."""
    return current_app.extensions["shelf_store"]
