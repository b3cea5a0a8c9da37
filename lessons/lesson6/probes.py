"""Lesson 6 probes: small functions the checks run inside the student's process.

Each is called as ``name(app, *args)`` on the check's app and returns plain data. They reach
what a request through the test client cannot: the raw WSGI callables in shelf/wsgi_raw.py (run
through the standard library's ``wsgiref.validate.validator``, with its warnings raised as errors),
the middleware class on its own, the object the module calls ``app``, and a real server on a
loopback socket. They only report what happened; checks.py decides what is right and says why.
"""

import base64
import sys
import traceback
import warnings

MAX_BODY = 64 * 1024


def _shown(value, width=160):
    text = repr(value)
    return text if len(text) <= width else text[:width] + "…"


def _describe(value):
    """A value's type and a short repr, for a failure message."""
    return {"type": type(value).__name__, "repr": _shown(value)}


def _student_error(error):
    """An exception raised by the student's code: type, message, and the last line of shelf/ it passed."""
    where = None
    for frame in traceback.extract_tb(error.__traceback__):
        path = frame.filename.replace("\\", "/")
        if "/shelf/" in path:
            where = f"shelf/{path.rsplit('/shelf/', 1)[1]}, line {frame.lineno}: {frame.line}"
    return {"type": type(error).__name__, "message": str(error), "where": where}


def _from_validator(error):
    """Was ``error`` raised by wsgiref.validate (a PEP 3333 rule broken), not by the student's code?"""
    from wsgiref.validate import WSGIWarning

    if isinstance(error, WSGIWarning):
        return True
    frames = traceback.extract_tb(error.__traceback__)
    return isinstance(error, AssertionError) and bool(frames) and \
        frames[-1].filename.replace("\\", "/").endswith("wsgiref/validate.py")


def _environ(method, path, query, headers, script_name):
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path=path, method=method, query_string=query, headers=headers or {},
                             base_url=f"http://localhost{script_name}")
    try:
        return builder.get_environ()
    finally:
        builder.close()


class _Server:
    """The server's side of one call: what start_response received, and what write() was given."""

    def __init__(self):
        self.status = None
        self.headers = None
        self.exc_info = None
        self.calls = 0
        self.written = b""

    def start_response(self, status, headers, exc_info=None):
        self.calls += 1
        self.status = status
        self.headers = [list(pair) for pair in headers]
        self.exc_info = exc_info
        return self.write

    def write(self, data):
        self.written += data


def _validated_call(wsgi_app, environ, spy=None):
    """Call ``wsgi_app`` through wsgiref's validator (WSGIWarning raised as an error), read and close
    its body. Returns (server, body, violation); exceptions of the student's own code propagate."""
    from wsgiref.validate import WSGIWarning, validator

    server = _Server()
    body = b""
    violation = None
    iterator = None
    with warnings.catch_warnings():
        warnings.simplefilter("error", WSGIWarning)
        try:
            iterator = validator(wsgi_app)(environ, server.start_response)
            for chunk in iterator:
                body += chunk
                if len(body) > MAX_BODY:
                    break
        except (AssertionError, WSGIWarning) as error:
            if not _from_validator(error):
                raise
            violation = {"kind": type(error).__name__, "message": str(error)}
        finally:
            if iterator is not None:
                iterator.close()
    return server, server.written + body, violation


def call_raw(app, name, method="GET", path="/", query="", headers=None, script_name=""):
    """Call ``shelf.wsgi_raw.<name>`` as a WSGI server would, through wsgiref's validator.

    Reports what the app passed to start_response and returned (types included, for the check's
    explanation), the response the server saw, and the validator's complaint if there was one.
    """
    try:
        import shelf.wsgi_raw as raw
    except Exception as error:  # noqa: BLE001 - a syntax error, a bad import...
        return {"missing": False, "raised": _student_error(error), "seen": {}}
    target = getattr(raw, name, None)
    if not callable(target):
        return {"missing": True}
    seen = {"start_response": None, "returned": None, "first_item": None}

    def spy(environ, start_response):
        def recording_start_response(*args, **kwargs):
            seen["start_response"] = {"args": [_describe(arg) for arg in args], "kwargs": sorted(kwargs)}
            if len(args) >= 2 and isinstance(args[1], (list, tuple)):
                seen["start_response"]["items"] = [
                    {"item": _describe(item),
                     "parts": [_describe(part) for part in item] if isinstance(item, (list, tuple)) else None}
                    for item in args[1]]
            return start_response(*args, **kwargs)

        result = target(environ, recording_start_response)
        seen["returned"] = _describe(result)
        if isinstance(result, (list, tuple)) and result:
            seen["first_item"] = _describe(result[0])
        return result

    environ = _environ(method, path, query, headers, script_name)
    try:
        server, body, violation = _validated_call(spy, environ)
    except Exception as error:  # noqa: BLE001 - the student's app may raise anything
        return {"missing": False, "raised": _student_error(error), "seen": seen}
    return {
        "missing": False,
        "raised": None,
        "violation": violation,
        "seen": seen,
        "status": server.status if isinstance(server.status, str) else None,
        "headers": server.headers if server.calls else None,
        "body": base64.b64encode(body).decode("ascii"),
    }


class _Body:
    """A response body with a close(), like a file or a streamed page: it records what happened to it."""

    def __init__(self):
        self.iterated = False
        self.closed = False

    def __iter__(self):
        self.iterated = True
        yield b"streamed "
        yield b"body"

    def close(self):
        self.closed = True


def middleware_contract(app):
    """Wrap small stand-in WSGI apps in ``PoweredByMiddleware`` and report what crossed the boundary.

    - ``plain`` (default value) and ``custom`` (value="Made with Flask"): a 200 response through the
      validator: the headers the server got, and whether the write() callable the inner app got
      back reaches the server.
    - ``error``: the inner app passes exc_info (as an app does for an error page): what the server got.
    - ``body``: without the validator, whether the middleware returned the inner iterable itself,
      read it before returning, and whether closing what it returned closed the inner one.
    """
    try:
        from shelf.middleware import PoweredByMiddleware
    except Exception as error:  # noqa: BLE001 - no such class, a syntax error...
        failed = {"raised": _student_error(error)}
        return {"plain": failed, "custom": failed, "error": failed, "body": failed}

    report = {}

    def spied(middleware, called):
        """``middleware`` with a recorder between it and the validator: what it passed to start_response."""
        def outer(environ, start_response):
            def recording_start_response(*args, **kwargs):
                called.append({"args": [_describe(arg) for arg in args], "kwargs": sorted(kwargs)})
                return start_response(*args, **kwargs)
            return middleware(environ, recording_start_response)
        return outer

    for section, options in (("plain", {}), ("custom", {"value": "Made with Flask"})):
        inner_saw = {}

        def plain_inner(environ, start_response, inner_saw=inner_saw):
            write = start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            inner_saw["write"] = _describe(write)
            if callable(write):
                write(b"written, ")
            return [b"returned"]

        called = []
        try:
            server, body, violation = _validated_call(spied(PoweredByMiddleware(plain_inner, **options), called),
                                                      _environ("GET", "/", "", {}, ""))
            report[section] = {"violation": violation, "called": called[0] if called else None,
                               "headers": server.headers if server.calls else None,
                               "status": server.status if isinstance(server.status, str) else None,
                               "body": body.decode("latin-1"), "write": inner_saw.get("write")}
        except Exception as error:  # noqa: BLE001 - the student's middleware may raise anything
            report[section] = {"raised": _student_error(error)}

    def error_inner(environ, start_response):
        try:
            raise ValueError("the inner app failed")
        except ValueError:
            exc_info = sys.exc_info()
        start_response("500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")], exc_info)
        return [b"error page"]

    try:
        server, body, violation = _validated_call(PoweredByMiddleware(error_inner), _environ("GET", "/", "", {}, ""))
        got = server.exc_info
        report["error"] = {
            "violation": violation,
            "exc_info": None if got is None else _describe(got),
            "same": isinstance(got, tuple) and len(got) == 3 and isinstance(got[1], ValueError)
                    and str(got[1]) == "the inner app failed",
        }
    except Exception as error:  # noqa: BLE001
        report["error"] = {"raised": _student_error(error)}

    inner_body = _Body()

    def streaming_inner(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return inner_body

    try:
        server = _Server()
        result = PoweredByMiddleware(streaming_inner)(_environ("GET", "/", "", {}, ""), server.start_response)
        read_before_return = inner_body.iterated
        same = result is inner_body
        content = b"".join(result)
        has_close = callable(getattr(result, "close", None))
        if has_close:
            result.close()
        report["body"] = {"same": same, "read_before_return": read_before_return, "returned": _describe(result),
                          "has_close": has_close, "inner_closed": inner_body.closed,
                          "content": content.decode("latin-1")}
    except Exception as error:  # noqa: BLE001
        report["body"] = {"raised": _student_error(error)}
    return report


def _chain(outer):
    """The WSGI callables from ``outer`` inwards, found through each middleware's attributes (and a
    DispatcherMiddleware's mounts): their names, and whether a PoweredByMiddleware is among them."""
    from flask import Flask

    try:
        from shelf.middleware import PoweredByMiddleware
    except Exception:  # noqa: BLE001 - a broken module is reported by the checks that use it
        PoweredByMiddleware = None

    names, powered_by, reaches_flask = [], False, False
    todo, seen = [(outer, "")], set()
    while todo and len(seen) < 50:
        obj, mounted = todo.pop(0)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(getattr(obj, "__self__", None), Flask) or isinstance(obj, Flask):
            names.append("Flask.wsgi_app" + mounted)
            reaches_flask = True
            continue
        if hasattr(obj, "__code__"):  # a plain function, such as health_app
            names.append(getattr(obj, "__name__", "a function") + mounted)
            continue
        names.append(type(obj).__name__ + mounted)
        if PoweredByMiddleware is not None and isinstance(obj, PoweredByMiddleware):
            powered_by = True
        for attribute in getattr(obj, "__dict__", {}).values():
            if isinstance(attribute, dict):
                todo.extend((value, f" (mounted at {key})") for key, value in attribute.items() if callable(value))
            elif callable(attribute) and not isinstance(attribute, type):
                todo.append((attribute, ""))
    return {"chain": names, "powered_by": powered_by, "reaches_flask": reaches_flask}


def app_object(app):
    """What ``shelf.app.app`` is, and which WSGI objects its ``wsgi_app`` chain holds."""
    from flask import Flask

    value = app  # the check's app: shelf.app.app in lessons 1-6, a new app from create_app() later
    report = {"type": f"{type(value).__module__}.{type(value).__name__}", "is_flask": isinstance(value, Flask)}
    if isinstance(value, Flask):
        report.update(_chain(value.wsgi_app))
    return report


def start_server(app):
    """Start ``shelf.serve.make_server("127.0.0.1", 0)`` in a daemon thread; return where it listens.

    The thread serves until this check's worker process ends, so the check can connect to it from
    the grader's own process over the loopback interface.
    """
    import threading

    try:
        from shelf.serve import make_server

        server = make_server("127.0.0.1", 0)
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        return {"raised": _student_error(error)}
    report = {"type": type(server).__name__, "raised": None}
    port = getattr(server, "server_port", None)
    if port is None:
        address = getattr(server, "server_address", None)
        port = address[1] if isinstance(address, tuple) and len(address) >= 2 else None
    report["port"] = port if isinstance(port, int) else None
    serve = getattr(server, "serve_forever", None)
    report["can_serve"] = callable(serve)
    if report["port"] is not None and callable(serve):
        threading.Thread(target=serve, name="shelf-server", daemon=True).start()
    return report
