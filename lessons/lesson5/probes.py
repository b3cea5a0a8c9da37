"""Lesson 5 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They reach
what a request cannot: the store, the helpers in shelf/context.py called with and without a
context, and a request sent with a cookie the grader made. The expectations stay in checks.py.
"""


def _outcome(function):
    """Call ``function()``; return {"value": ...} or {"error": type name, "message": first line}."""
    try:
        value = function()
    except Exception as error:  # noqa: BLE001 - what the student's helper raised is the answer
        message = str(error).strip().splitlines()
        return {"error": type(error).__name__, "message": message[0] if message else ""}
    if not isinstance(value, (bool, int, float, str, type(None))):
        value = repr(value)
    return {"value": value}


def add_items(app, count):
    """Save ``count`` more items and return every id the store now holds, oldest first."""
    store = app.extensions.get("shelf_store")
    if store is None:
        from shelf import store

    with app.app_context():  # from lesson 8 on, the store is the app's database
        for number in range(count):
            store.add(f"Extra item {number + 1}", f"https://example.com/{number + 1}", ["extra"])
        return [item["id"] for item in store.all_items()]


def item_count_in_contexts(app):
    """current_item_count() outside any context, inside app.app_context(), and with another store."""
    from flask import has_app_context
    from shelf.context import current_item_count

    class OtherStore:
        """A stand-in store with five items, put where the app keeps its store."""

        @staticmethod
        def all_items():
            return [{"id": n} for n in range(1, 6)]

    result = {
        "pushed_at_import": has_app_context(),
        "registered": hasattr(app.extensions.get("shelf_store"), "all_items"),  # the module, or (lesson 7) a Store
        "outside": _outcome(current_item_count),
    }
    with app.app_context():
        result["inside"] = _outcome(current_item_count)
    saved = app.extensions.get("shelf_store")
    app.extensions["shelf_store"] = OtherStore
    try:
        with app.app_context():
            result["other_store"] = _outcome(current_item_count)
    finally:
        app.extensions["shelf_store"] = saved
    return result


def wants_json_for(app, accepts):
    """wants_json() in a test request context for each Accept header (None: no Accept header)."""
    from shelf.context import wants_json

    results = []
    for accept in accepts:
        headers = {} if accept is None else {"Accept": accept}
        with app.test_request_context("/items/", headers=headers):
            results.append(_outcome(lambda: bool(wants_json())))
    return results


def wants_json_outside(app):
    """wants_json() with no request at all: it needs one, so it should raise."""
    from shelf.context import wants_json

    return _outcome(wants_json)


def recent_with_cookie(app, cookie):
    """GET /recent from a client with no cookie jar, sending ``Cookie: session=<cookie>`` by hand."""
    client = app.test_client(use_cookies=False)
    response = client.get("/recent", headers={"Cookie": f"session={cookie}"})
    return {"status": response.status, "json": response.get_json(silent=True)}


def request_log(app, path, request_id):
    """GET ``path`` with an X-Request-ID, and what app.logger logged meanwhile: for each record, its
    message and the line each of the logger's own handlers would write (a formatter may add the id)."""
    import logging

    logger = app.logger
    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            shown = [record.getMessage()]
            for handler in logger.handlers:
                if handler is not self:
                    try:
                        shown.append(handler.format(record))
                    except Exception:  # noqa: BLE001 - a formatter that fails here only loses this view
                        pass
            records.append({"level": record.levelname, "shown": shown})

    capture = Capture()
    logger.addHandler(capture)
    try:
        status = app.test_client().get(path, headers={"X-Request-ID": request_id}).status_code
    finally:
        logger.removeHandler(capture)
    return {"status": status, "records": records, "level": logging.getLevelName(logger.getEffectiveLevel())}
