"""Lesson 1 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They reach what a
request cannot: the store. They use it inside an app context, as a request would: from lesson 8 on
it keeps its items in the app's database. The expectations themselves stay in checks.py.
"""


def _store(app):
    """The app's store: the one it keeps in app.extensions (lesson 5 on), else the module shelf.store."""
    found = app.extensions.get("shelf_store")
    if found is not None:
        return found
    from shelf import store

    return store


def add_item(app, title, url, tags):
    """Save a new item and return its id."""
    with app.app_context():
        return _store(app).add(title, url, tags)["id"]
