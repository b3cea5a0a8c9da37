"""WSGI apps written by hand, with no framework: what Flask does for us on every request.

A WSGI app is a callable taking ``environ`` (a dict describing the request) and ``start_response``
(a function to call once with the status line and the headers). It returns an iterable of bytes.
"""

import json


def health_app(environ, start_response):
    """GET → 200 "OK" as plain text; any other method → 405 with an Allow header."""
    if environ["REQUEST_METHOD"] == "GET":
        status, body, extra = "200 OK", b"OK", []
    else:
        status, body, extra = "405 Method Not Allowed", b"Method Not Allowed", [("Allow", "GET")]
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),  # header values are str, never int
        *extra,
    ]
    start_response(status, headers)  # the status is a str with its reason phrase, headers a list of tuples
    return [body]  # an iterable of bytes, never a str


def echo_app(environ, start_response):
    """Answer with a few of the request's environ keys as JSON."""
    keys = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "HTTP_USER_AGENT")
    body = json.dumps({key: environ.get(key, "") for key in keys}).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
