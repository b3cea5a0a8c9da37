"""WSGI apps written by hand, with no framework: what Flask does for us on every request.

A WSGI app is a callable taking ``environ`` (a dict describing the request) and ``start_response``
(a function to call once with the status line and the headers). It returns an iterable of bytes.
"""

import json  # noqa: F401 - echo_app needs it (TODO 2)


def health_app(environ, start_response):
    """GET → 200 "OK" as plain text; any other method → 405 with an Allow header."""
    # TODO 1: This first draft "works" in Werkzeug's test client, which forgives a lot, but it breaks
    #         PEP 3333 four times (the status, the headers, one header's value and the body). A real
    #         server such as wsgiref's answers it with "500 Internal Server Error". `grade lesson6` calls
    #         it through wsgiref.validate.validator, which names one broken rule at a time. Fix them all:
    #           - the status is a str: the code, a space and the reason phrase, "200 OK";
    #           - the headers are a list of (name, value) tuples of str: Content-Type
    #             "text/plain; charset=utf-8" and Content-Length, the body's length in bytes, as a str;
    #           - the body is an iterable of bytes: [b"OK"].
    #         Then answer every method except GET (it is environ["REQUEST_METHOD"]) with the status
    #         "405 Method Not Allowed", a short body such as b"Method Not Allowed" (with its own
    #         Content-Type and Content-Length) and an Allow: GET header.
    body = "OK"
    start_response(200, {"Content-Type": "text/plain; charset=utf-8", "Content-Length": len(body)})
    return body


def echo_app(environ, start_response):
    """Answer with a few of the request's environ keys as JSON."""
    # TODO 2: Answer "200 OK" with a JSON object of these five environ keys and their values:
    #         REQUEST_METHOD, PATH_INFO, QUERY_STRING, SCRIPT_NAME and HTTP_USER_AGENT. A key the
    #         request did not bring (a request need not send a User-Agent) has the value "".
    #         json.dumps(...) gives a str: encode it to bytes, and send it with Content-Type
    #         application/json and its Content-Length. The same PEP 3333 rules as TODO 1 apply.
    raise NotImplementedError("TODO 2: echo_app")
