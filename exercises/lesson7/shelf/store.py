"""Shelf's in-memory store. It is provided: until lesson 7 you do not need to change it.

An item is a dict with an ``id``, ``title``, ``url``, ``tags`` (a list of strings) and ``status``
("unread" or "read"). Everything lives in one Python list, so it starts over whenever the app
restarts; lesson 8 moves it into a real SQLite database.
"""

# TODO 2 and TODO 10: this lesson, store.py changes, in two steps.
#   TODO 2: write get_store(): it returns current_app.extensions["shelf_store"], the store of the app
#     handling the request. For now that is this module itself (shelf/app.py puts it there), so the views
#     you move to blueprints can use get_store().get(item_id) and the rest at once.
#   TODO 10: one module-level list of items is shared by every app that create_app() builds: a test that
#     saves an item would see it in the next test's app. The Store class below (provided) holds one app's
#     items, with the same methods as the functions below. Write init_app(app), which gives the app a new
#     Store() in app.extensions["shelf_store"] (create_app() calls it); then delete what keeps items at
#     module level: the list _items, the functions after it, and the call reset() at the bottom.

from __future__ import annotations

from copy import deepcopy

from flask import Flask, current_app  # TODO 2, 10: used by get_store() and init_app()

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
    # TODO 10: put a new Store() in app.extensions["shelf_store"]: one store per app, made here.
    raise NotImplementedError("TODO 10: write store.init_app(app)")


def get_store() -> Store:
    """The store of the current app. Like ``current_app``, it needs an app context."""
    # TODO 2: return current_app's store, from app.extensions["shelf_store"].
    raise NotImplementedError("TODO 2: write store.get_store()")


# TODO 10: delete everything below: the module-level list and the functions that use it.
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


def with_tags(tags: list[str]) -> list[dict]:
    """The items that carry every one of ``tags``."""
    return [item for item in _items if all(tag in item["tags"] for tag in tags)]


def search(q: str = "", tags: list[str] | None = None) -> list[dict]:
    """The items whose title contains ``q`` (ignoring case) and that carry all ``tags``."""
    q = q.strip().lower()
    return [item for item in with_tags(tags or []) if q in item["title"].lower()]


def add(title: str, url: str, tags: list[str] | None = None) -> dict:
    """Save a new unread item and return it."""
    item = {"id": max((i["id"] for i in _items), default=0) + 1, "title": title, "url": url,
            "tags": list(tags or []), "status": "unread"}
    _items.append(item)
    return item


reset()
