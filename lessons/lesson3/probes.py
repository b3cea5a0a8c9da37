"""Lesson 3 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They only
reach what a request cannot: the store, and a template's source. They use the store inside an app
context, as a request would: from lesson 8 on it keeps its items in the app's database. The
expectations themselves stay in checks.py.
"""


def _store(app):
    """The app's store: the one it keeps in app.extensions (lesson 5 on), else the module shelf.store."""
    found = app.extensions.get("shelf_store")
    if found is not None:
        return found
    from shelf import store

    return store


def empty_store(app):
    """Remove every item, so the list page has nothing to show."""
    store = _store(app)
    with app.app_context():
        store.reset([])
        return len(store.all_items())


def add_item(app, title, url, tags):
    """Save a new item and return its id."""
    with app.app_context():
        return _store(app).add(title, url, tags)["id"]


def extended_template(app, name):
    """The name in ``{% extends "..." %}`` at the top of templates/<name>, or None if it extends nothing."""
    from jinja2 import nodes

    env = app.jinja_env
    source, _, _ = env.loader.get_source(env, name)
    for node in env.parse(source).find_all(nodes.Extends):
        if isinstance(node.template, nodes.Const):
            return node.template.value
        return "(a name computed at run time)"
    return None
