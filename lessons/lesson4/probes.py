"""Lesson 4 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They only
reach what a request cannot: the in-memory store and the URL map. The expectations themselves stay
in checks.py.
"""


def add_items(app, count):
    """Save ``count`` more items, titled "Extra 1", "Extra 2", ...; return how many items there are."""
    store = app.extensions.get("shelf_store")
    if store is None:
        from shelf import store

    with app.app_context():  # from lesson 8 on, the store is the app's database
        for number in range(1, count + 1):
            store.add(f"Extra {number}", f"https://extra.example/{number}", ["extra"])
        return len(store.all_items())


def match(app, path):
    """Which endpoint the URL map picks for GET ``path``, with the arguments its converters produced.

    Returns ``[endpoint, arguments]``, or None when no rule matches.
    """
    from werkzeug.exceptions import HTTPException

    try:
        endpoint, arguments = app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return [endpoint, {key: value if isinstance(value, (str, int, list)) else repr(value)
                       for key, value in arguments.items()}]


def converter(app, name):
    """What is registered under ``name`` in app.url_map.converters."""
    from werkzeug.routing import BaseConverter

    registered = app.url_map.converters.get(name)
    if registered is None:
        return None
    is_class = isinstance(registered, type)
    return {
        "name": getattr(registered, "__name__", repr(registered)),
        "is_class": is_class,
        "is_base_converter": is_class and issubclass(registered, BaseConverter),
    }
