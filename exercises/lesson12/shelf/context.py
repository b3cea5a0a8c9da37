"""Helpers that work anywhere in Shelf's code, as long as Flask has pushed a context."""

from flask import current_app, request


def current_item_count():
    """How many items the app has saved.

    The app keeps its store in ``app.extensions``; ``current_app`` finds the app that is handling
    the current request (or was pushed with ``app.app_context()``). Outside any context it raises
    RuntimeError: "Working outside of application context."
    """
    return len(current_app.extensions["shelf_store"].all_items())


def wants_json():
    """True when the request's Accept header prefers JSON to HTML. Needs a request context."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
