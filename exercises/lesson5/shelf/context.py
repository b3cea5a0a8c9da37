"""Helpers that work anywhere in Shelf's code, as long as Flask has pushed a context.

TODO 5: write the two functions below. Neither takes the app or the request as an argument:
they find them through Flask's context-local proxies, current_app and request.
"""

from flask import current_app, request  # noqa: F401 - TODO 5: both are for you to use below


def current_item_count():
    """How many items the app has saved.

    TODO 5a: return the number of items in the store the current app keeps in
    current_app.extensions["shelf_store"] (app.py puts it there: see TODO 5 in app.py):
        len(current_app.extensions["shelf_store"].all_items())
    Do not import the store or the app here. Inside a request, or under `with app.app_context():`,
    it returns 3 for the seed items; with no context at all, reading current_app raises
    RuntimeError("Working outside of application context."). That error is right: leave it.
    """
    raise NotImplementedError("TODO 5a: current_item_count() in shelf/context.py")


def wants_json():
    """True when the request's Accept header prefers JSON to HTML.

    TODO 5b: ask request.accept_mimetypes which of the two types the client prefers:
        request.accept_mimetypes.best_match(["text/html", "application/json"])
    and return True only when that is "application/json". With text/html listed first, a client
    that accepts anything (Accept: */*, as browsers send) gets HTML, and so does a request with no
    Accept header at all (best_match then returns None).
    """
    raise NotImplementedError("TODO 5b: wants_json() in shelf/context.py")
