"""Shelf's in-memory store. It is provided: until lesson 7 you do not need to change it.

An item is a dict with an ``id``, ``title``, ``url``, ``tags`` (a list of strings) and ``status``
("unread" or "read"). Everything lives in one Python list, so it starts over whenever the app
restarts; lesson 8 moves it into a real SQLite database.
"""

from __future__ import annotations

from copy import deepcopy

SEED = [
    {"id": 1, "title": "Flask docs", "url": "https://flask.palletsprojects.com/",
     "tags": ["python", "flask"], "status": "unread"},
    {"id": 2, "title": "PEP 3333", "url": "https://peps.python.org/pep-3333/",
     "tags": ["python", "wsgi"], "status": "unread"},
    {"id": 3, "title": "Jinja docs", "url": "https://jinja.palletsprojects.com/",
     "tags": ["python", "templates"], "status": "unread"},
]

_items: list[dict] = []


def reset(items: list[dict] | None = None) -> None:
    """Start over with ``items`` (the three seed items by default)."""
    _items[:] = deepcopy(SEED if items is None else items)


def all_items() -> list[dict]:
    """Every item, oldest first."""
    return list(_items)


def get(item_id: int) -> dict | None:
    """The item with this id, or None."""
    return next((item for item in _items if item["id"] == item_id), None)


def with_tag(tag: str) -> list[dict]:
    """The items that carry ``tag``."""
    return [item for item in _items if tag in item["tags"]]


def add(title: str, url: str, tags: list[str] | None = None) -> dict:
    """Save a new unread item and return it."""
    item = {"id": max((i["id"] for i in _items), default=0) + 1, "title": title, "url": url,
            "tags": list(tags or []), "status": "unread"}
    _items.append(item)
    return item


reset()
