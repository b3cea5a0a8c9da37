"""Lesson 6 checks: raw WSGI apps, middleware, DispatcherMiddleware, ProxyFix and a real server.

The raw WSGI callables are run through the standard library's ``wsgiref.validate.validator``, with
its ``WSGIWarning`` raised as an error, inside the student's process (see probes.py). Werkzeug's
test client accepts an int status, dict headers or a str body without a word, so only the
validator can tell a student which PEP 3333 rule they broke. The validator's messages are terse;
``pep3333_rule`` turns them into sentences a beginner can act on.
"""

import base64
import http.client
import json
import re

from werkzeug.datastructures import Headers

from grader import check, expect, fail, quote

PROXY_HEADERS = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "shelf.example"}
ECHO_KEYS = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "HTTP_USER_AGENT")
VALIDATED = "through wsgiref.validate.validator, as a WSGI server would"


# -- explaining PEP 3333 ------------------------------------------------------------------------

def _arg(seen, index):
    call = (seen or {}).get("start_response") or {}
    args = call.get("args") or []
    return args[index] if len(args) > index else None


def _got_value(message):
    """The value in a validator message such as "Header value must be of type str (got 2)"."""
    match = re.search(r"\(got (.*)\)$", message)
    return match.group(1) if match else None


def _bad_header(seen, position):
    """The first header whose name (position 0) or value (1) is not a str, as (item repr, part)."""
    call = (seen or {}).get("start_response") or {}
    for item in call.get("items") or []:
        parts = item.get("parts") or []
        if len(parts) == 2 and parts[position]["type"] != "str":
            return item["item"]["repr"], parts[position]
    return None, None


def pep3333_rule(violation, seen=None):
    """The PEP 3333 rule behind one of wsgiref.validate's messages, as a sentence with what was sent."""
    message = violation["message"]
    status, headers = _arg(seen, 0), _arg(seen, 1)
    returned = (seen or {}).get("returned")
    first = (seen or {}).get("first_item")
    if message.startswith("Status must be of type str"):
        got = f"{status['type']} {status['repr']}" if status else _got_value(message)
        return f"the status must be a str like '200 OK', got {got}"
    if message.startswith(("Status codes must be three characters", "Status code is invalid")):
        got = status["repr"] if status else _got_value(message) or message
        return f"the status must be a three-digit code, a space and a reason phrase, like '200 OK', got {got}"
    if violation["kind"] == "WSGIWarning" and message.startswith("The status string"):
        got = status["repr"] if status else re.search(r"\((.*?)\)", message).group(1)
        return (f"the status must be the code, a space and a reason phrase, like '200 OK' or "
                f"'405 Method Not Allowed', got {got}: the reason phrase is missing")
    if message.startswith("Headers (") and "must be of type list" in message:
        got = headers["type"] if headers else "something else"
        return f"headers must be a list of (str, str) tuples, got {got}"
    if message.startswith("Individual headers"):
        match = re.match(r"Individual headers \((.*)\) must be of type tuple: <class '(\w+)'>", message)
        shown = f"a {match.group(2)} in it: {match.group(1)}" if match else "something else in it"
        return f"headers must be a list of (str, str) tuples, got {shown}"
    if message.startswith("Header name must be of type str"):
        return f"header names must be str, got {_got_value(message)}"
    if message.startswith("Header value must be of type str"):
        item, part = _bad_header(seen, 1)
        if item:
            return (f"header values must be str, but the header {item} has a value of type {part['type']}: "
                    "convert it, e.g. str(len(body))")
        return f"header values must be str, got {_got_value(message)}: convert it, e.g. str(len(body))"
    if message.startswith("No Content-Type header found"):
        return "a response with a body needs a Content-Type header, and none was sent"
    if message.startswith("You should not return a string as your application iterator"):
        kind = returned["type"] if returned else "a string"
        if kind == "bytes":
            return ("the body must be an iterable of bytes, like [b'OK'], got bytes: a bytes object is iterated "
                    "one byte at a time, so wrap it in a list")
        return f"the body must be an iterable of bytes, like [b'OK'], got {kind}"
    if message.startswith("Iterator yielded non-bytestring"):
        if returned and first:
            return (f"the body must be an iterable of bytes, got a {returned['type']} of {first['type']}: "
                    f"{returned['repr']}; encode text first, 'OK'.encode() or b'OK'")
        return (f"the body must be an iterable of bytes, but it yielded {message.split('(', 1)[-1].rstrip(')')}; "
                "encode text first, 'OK'.encode() or b'OK'")
    if message.startswith("The application must return an iterator"):
        got = returned["repr"] if returned else "nothing"
        return f"the app must return an iterable of bytes (at least an empty list []), got {got}"
    if message.startswith("The application returns and we started iterating"):
        return "the app must call start_response(status, headers) before its body is read"
    if message.startswith("Invalid number of arguments"):
        return "start_response takes two or three positional arguments: status, headers and optionally exc_info"
    if message.startswith("No keyword arguments allowed"):
        return ("start_response's arguments go by position: start_response(status, headers, exc_info), "
                "never exc_info=...")
    if message.startswith("exc_info ("):
        return "exc_info must be None or the (type, value, traceback) tuple that sys.exc_info() returns"
    if message.startswith("The Status header cannot be used"):
        return "the status goes in start_response's first argument, never in a Status header"
    if "header name" in message.lower() or "header value" in message.lower() or message.startswith("Names may"):
        return f"header names are tokens such as Content-Type and values hold no newline ({message})"
    return f"the app to follow PEP 3333 ({message})"


def _called_with(seen):
    call = seen.get("start_response")
    if call is None:
        text = "start_response was never called"
    else:
        shown = [arg["repr"] for arg in call["args"]] + [f"{name}=..." for name in call["kwargs"]]
        text = f"start_response({', '.join(shown)})"
    if seen.get("returned") is not None:
        text += f", then returned {seen['returned']['repr']}"
    return text


def call_raw(app, name, method="GET", path="/", query="", headers=None, script_name=""):
    """Call shelf.wsgi_raw.<name> through the validator; fail with the broken rule, else
    return (status, Headers, body bytes)."""
    shown = path + (f"?{query}" if query else "")
    sent = f"{method} {shown} to shelf.wsgi_raw.{name}, {VALIDATED}"
    if headers:
        sent += f", with headers {headers!r}"
    if script_name:
        sent += f", SCRIPT_NAME={script_name!r}"
    result = app.probe("call_raw", name, method, path, query, headers, script_name)
    if result["missing"]:
        fail(f"a function {name}(environ, start_response) in shelf/wsgi_raw.py", got=f"no function named {name}",
             sent=sent)
    seen = result["seen"]
    if result["raised"]:
        error = result["raised"]
        where = f" at {error['where']}" if error.get("where") else ""
        fail(f"{name} to answer the request", got=f"it raised {error['type']}: {error['message']}{where}", sent=sent)
    if result["violation"]:
        violation = result["violation"]
        fail(f"PEP 3333: {pep3333_rule(violation, seen)}", got=_called_with(seen), sent=sent,
             note=f"wsgiref's validator said: {violation['kind']}: {violation['message'][:300]}")
    if result["headers"] is None:
        fail("PEP 3333: the app must call start_response(status, headers) before it returns its body",
             got=_called_with(seen), sent=sent)
    status, response_headers = result["status"], Headers([tuple(pair) for pair in result["headers"]])
    body = base64.b64decode(result["body"])
    length = response_headers.get("Content-Length")
    if length is not None and (not length.isdigit() or int(length) != len(body)):
        fail(f"Content-Length to match the body: Content-Length says {length} but the body has {len(body)} bytes",
             got=_called_with(seen), sent=sent,
             note="Compute it from the bytes you send: str(len(body)), after encoding. A client trusts "
                  "Content-Length: too big and it waits for bytes that never come, too small and it cuts the body.")
    return status, response_headers, body, sent, seen


def _response_line(status, headers, body):
    shown = ", ".join(f"{name}: {value}" for name, value in headers.items())
    return f"{status} · {shown} · body {quote(body[:200])}"


def raw_response(app, name, method, path="/", expected_status="200 OK", **options):
    status, headers, body, sent, _seen = call_raw(app, name, method, path, **options)
    if status != expected_status:
        note = None
        if status.split(" ", 1)[0] == expected_status.split(" ", 1)[0]:
            note = "The code is right; write the reason phrase as HTTP does: " + expected_status
        fail(f"the status {expected_status!r}", got=_response_line(status, headers, body), sent=sent, note=note)
    return headers, body, sent, status


def want_header(headers, name, value, sent, status, body):
    if headers.get(name) != value:
        got = f"{name}: {headers.get(name)}" if name in headers else f"no {name} header"
        fail(f"{name}: {value}", got=f"{got} (the response: {_response_line(status, headers, body)})", sent=sent)


# -- middleware helpers -------------------------------------------------------------------------

def _raised(section, doing):
    error = section["raised"]
    where = f" at {error['where']}" if error.get("where") else ""
    fail(f"PoweredByMiddleware to {doing}", got=f"it raised {error['type']}: {error['message']}{where}",
         sent=f"wrapping a small stand-in WSGI app in PoweredByMiddleware and calling it {VALIDATED}",
         note="A middleware is called with (environ, start_response) and must return the inner app's "
              "response; its own start_response must accept (status, headers, exc_info=None).")


def _headers_text(pairs):
    return ", ".join(f"{name}: {value}" for name, value in pairs) if pairs else "no headers"


def adds_header(contract, section="plain", value="Shelf"):
    """The middleware's response carries X-Powered-By: value, and it kept the inner app's headers."""
    part = contract[section]
    options = "" if section == "plain" else f", value={value!r}"
    sent = (f"PoweredByMiddleware(inner{options}) called {VALIDATED}; inner answers 200 OK with "
            "Content-Type: text/plain; charset=utf-8")
    if "raised" in part:
        _raised(part, "add the header")
    if part["violation"]:
        called = part["called"]
        got = "the middleware never called start_response" if called is None else \
            f"the middleware called start_response({', '.join(arg['repr'] for arg in called['args'])})"
        fail(f"PEP 3333: {pep3333_rule(part['violation'])}", got=got,
             sent=sent, note=f"wsgiref's validator said: {part['violation']['message'][:300]}")
    headers = Headers([tuple(pair) for pair in part["headers"] or []])
    if part["headers"] is None:
        fail(f"X-Powered-By: {value}", got="start_response never reached the server", sent=sent,
             note="Call the inner app with your own start_response, which calls the server's.")
    if headers.getlist("X-Powered-By") != [value]:
        found = headers.getlist("X-Powered-By")
        fail(f"exactly one X-Powered-By: {value} header",
             got=f"the server received {_headers_text(part['headers'])}",
             sent=sent,
             note=f"The value comes from the constructor: PoweredByMiddleware(app, value={value!r})."
             if found and section == "custom" else None)
    if headers.get("Content-Type") != "text/plain; charset=utf-8":
        fail("the inner app's own headers kept (Content-Type: text/plain; charset=utf-8)",
             got=f"the server received {_headers_text(part['headers'])}", sent=sent,
             note="Add your header to the list the inner app passed: [*headers, (\"X-Powered-By\", self.value)].")
    return part


# -- the checks ---------------------------------------------------------------------------------

@check(points=2, hints=[
    ("A WSGI app is a function (environ, start_response): it calls start_response(status, headers) once and "
    "returns an iterable of bytes. See lesson 6, \"A WSGI app by hand\"."),
    ("The status is a str with its reason phrase (\"200 OK\", \"405 Method Not Allowed\"), the headers a list "
    "of (str, str) tuples, and the body [b\"OK\"], a list of bytes. Content-Length is str(len(body))."),
    ("Read environ[\"REQUEST_METHOD\"]: GET gets \"OK\"; anything else gets 405 with (\"Allow\", \"GET\") "
    "among its headers."),
])
def test_health_app(app):
    """health_app follows PEP 3333: GET → 200 OK "OK" as text/plain, other methods → 405 with Allow: GET"""
    headers, body, sent, status = raw_response(app, "health_app", "GET", "/")
    want_header(headers, "Content-Type", "text/plain; charset=utf-8", sent, status, body)
    if body != b"OK":
        fail("the body b'OK'", got=_response_line(status, headers, body), sent=sent)
    want_header(headers, "Content-Length", "2", sent, status, body)
    for method in ("POST", "DELETE"):
        headers, body, sent, status = raw_response(app, "health_app", method, "/",
                                                   expected_status="405 Method Not Allowed")
        want_header(headers, "Allow", "GET", sent, status, body)
        if not body:
            fail("a short body saying what went wrong, e.g. b'Method Not Allowed'",
                 got=_response_line(status, headers, body), sent=sent)


@check(points=1, hints=[
    ("The request is all in the environ dict: REQUEST_METHOD, PATH_INFO, QUERY_STRING, SCRIPT_NAME, and every "
    "request header as HTTP_<NAME>. See lesson 6, \"Reading the environ\"."),
    ("Build a dict of the five keys, json.dumps() it and .encode() the result; send it with "
    "Content-Type: application/json and its Content-Length."),
    ("A request may come without a User-Agent header: environ.get(\"HTTP_USER_AGENT\", \"\") gives \"\" instead "
    "of a KeyError."),
])
def test_echo_app(app):
    """echo_app answers with JSON of REQUEST_METHOD, PATH_INFO, QUERY_STRING, SCRIPT_NAME and HTTP_USER_AGENT"""
    cases = [
        (("GET", "/a/b"), {"query": "x=1", "headers": {"User-Agent": "t"}},
         {"REQUEST_METHOD": "GET", "PATH_INFO": "/a/b", "QUERY_STRING": "x=1", "SCRIPT_NAME": "",
          "HTTP_USER_AGENT": "t"}),
        (("POST", "/c"), {"script_name": "/mount"},
         {"REQUEST_METHOD": "POST", "PATH_INFO": "/c", "QUERY_STRING": "", "SCRIPT_NAME": "/mount",
          "HTTP_USER_AGENT": ""}),
    ]
    for (method, path), options, wanted in cases:
        headers, body, sent, status = raw_response(app, "echo_app", method, path, **options)
        if "User-Agent" not in (options.get("headers") or {}):
            sent += " (no User-Agent header)"
        mimetype = (headers.get("Content-Type") or "").split(";")[0].strip()
        if mimetype != "application/json":
            fail("Content-Type: application/json", got=_response_line(status, headers, body), sent=sent)
        try:
            data = json.loads(body)
        except ValueError:
            fail("a body of JSON", got=_response_line(status, headers, body), sent=sent,
                 note="Build it with json.dumps(values).encode(\"utf-8\").")
        if data != wanted:
            missing = [key for key in ECHO_KEYS if not isinstance(data, dict) or key not in data]
            note = f"Missing keys: {', '.join(missing)}." if missing else \
                "Read each value from environ; a header the request did not send is \"\"."
            fail(f"JSON equal to {json.dumps(wanted)}", got=f"JSON {json.dumps(data)}", sent=sent, note=note)


@check(points=2, hints=[
    ("A middleware is a class whose __call__(environ, start_response) calls the app it wraps, with its own "
    "start_response that adds a header and calls the real one. See lesson 6, \"Writing middleware\"."),
    ("Keep the arguments: __init__(self, wsgi_app, value=\"Shelf\") stores both. In __call__, define "
    "start_with_header(status, headers, exc_info=None) that calls start_response(status, "
    "[*headers, (\"X-Powered-By\", self.value)], exc_info), and return self.wsgi_app(environ, start_with_header)."),
])
def test_powered_by_middleware(app):
    """PoweredByMiddleware(wsgi_app, value="Shelf") adds X-Powered-By: <value> and keeps the app's own headers"""
    contract = app.probe("middleware_contract")
    adds_header(contract, "plain", "Shelf")
    adds_header(contract, "custom", "Made with Flask")
    body = contract["plain"]["body"]
    if not body.endswith("returned"):
        fail("the inner app's body, unchanged", got=repr(body),
             sent=f"PoweredByMiddleware(inner) called {VALIDATED}; inner returns [b'returned']")


@check(points=1, hints=[
    ("PEP 3333 gives start_response a third, optional argument, exc_info, and a return value, write(). "
    "A wrapper must pass both through. See lesson 6, \"Writing middleware\"."),
    ("def start_with_header(status, headers, exc_info=None): return start_response(status, "
    "[*headers, (\"X-Powered-By\", self.value)], exc_info). Two things are easy to drop: the exc_info argument "
    "and the return."),
])
def test_middleware_start_response(app):
    """PoweredByMiddleware's start_response passes exc_info on and returns the server's write()"""
    contract = app.probe("middleware_contract")
    adds_header(contract, "plain", "Shelf")
    plain = contract["plain"]
    sent = f"PoweredByMiddleware(inner) called {VALIDATED}; inner calls write = start_response(...), then write(b'written, ')"
    write = plain["write"] or {}
    if write.get("type") == "NoneType" or not plain["body"].startswith("written, "):
        fail("start_response to return the server's write() callable to the inner app",
             got=f"the inner app got back {write.get('repr', 'nothing')}", sent=sent,
             note="Write `return start_response(...)` in your wrapper: without return, Python returns None.")
    error = contract["error"]
    sent = (f"PoweredByMiddleware(inner) called {VALIDATED}; inner calls start_response('500 Internal Server "
            "Error', headers, exc_info) for an error page")
    if "raised" in error:
        _raised(error, "accept start_response's third argument, exc_info")
    if error["violation"]:
        fail(f"PEP 3333: {pep3333_rule(error['violation'])}", got="the validator stopped the call", sent=sent,
             note=f"wsgiref's validator said: {error['violation']['message'][:300]}")
    if not error["same"]:
        got = "exc_info=None" if error["exc_info"] is None else f"exc_info={error['exc_info']['repr']}"
        fail("the server to receive the inner app's exc_info", got=f"the server received {got}", sent=sent,
             note="Pass it on: start_response(status, headers, exc_info). The server needs it to replace "
                  "headers already chosen with an error page, or to re-raise the error.")


@check(points=1, hints=[
    ("Return the inner app's iterable itself: no list(), no for loop. See lesson 6, \"Writing middleware\", "
    "on streaming and close()."),
    ("return self.wsgi_app(environ, start_with_header). If you must wrap the body, wrap it lazily in an object "
    "whose close() calls the inner iterable's close()."),
])
def test_middleware_returns_inner_iterable(app):
    """PoweredByMiddleware returns the inner app's body itself, unread, so streaming and close() still work"""
    contract = app.probe("middleware_contract")
    adds_header(contract, "plain", "Shelf")
    body = contract["body"]
    sent = ("PoweredByMiddleware(inner)(environ, start_response), where inner returns a streamed body "
            "(yielding b'streamed ' then b'body') with a close() method")
    if "raised" in body:
        _raised(body, "return the inner app's body")
    if body["content"] != "streamed body":
        fail("the inner body, b'streamed body'", got=repr(body["content"]), sent=sent)
    if body["same"]:
        return
    if body["read_before_return"]:
        fail("the inner body returned as it is, unread",
             got=f"the middleware read the whole body before returning, and returned a {body['returned']['type']}",
             sent=sent, note="list(app_iter) (or a join) waits for the whole response: a streamed page or a "
                             "large download is held in memory, and the server sees nothing until it ends.")
    if not body["inner_closed"]:
        how = "what the middleware returned has no close()" if not body["has_close"] else \
            "calling close() on what it returned did not close the inner body"
        fail("close() to reach the inner body", got=f"{how} (it returned a {body['returned']['type']})", sent=sent,
             note="The server calls close() on the iterable it got, and only that one: an open file or a "
                  "generator's cleanup (its finally: block) behind it never runs. Return the inner iterable itself.")


@check(points=1, hints=[
    ("Wrap the WSGI app inside Flask, not the Flask object: app.wsgi_app = PoweredByMiddleware(app.wsgi_app). "
    "See lesson 6, \"Where Flask fits: app and app.wsgi_app\"."),
    ("app = PoweredByMiddleware(app) replaces your Flask app with a plain WSGI callable: routes, test_client() "
    "and flask run all need the Flask object. And an after_request hook is not a middleware: the check looks "
    "for a PoweredByMiddleware in app.wsgi_app."),
])
def test_middleware_installed(app, client):
    """Shelf's pages (/, /nope, /static/style.css) carry X-Powered-By: Shelf; app is still the Flask app"""
    for path, status in (("/", 200), ("/nope", 404), ("/static/style.css", 200)):
        expect(client.get(path)).status(status).header("X-Powered-By", "Shelf")
    found = app.probe("app_object")
    if not found["is_flask"]:
        fail("shelf.app.app to be the Flask app", got=f"app is a {found['type']}", sent="reading shelf.app.app",
             note="Wrap app.wsgi_app, never app itself.")
    chain = " → ".join(found["chain"])
    if not found["powered_by"]:
        fail("a PoweredByMiddleware in app.wsgi_app", got=f"app.wsgi_app: {chain}", sent="reading shelf.app.app.wsgi_app",
             note="The header must come from the middleware (app.wsgi_app = PoweredByMiddleware(app.wsgi_app)), "
                  "not from an after_request hook.")


@check(points=1, hints=[
    ("DispatcherMiddleware(app.wsgi_app, {\"/health\": health_app}) sends URLs under /health to health_app and "
    "everything else to Flask. See lesson 6, \"Mounting apps with DispatcherMiddleware\"."),
    ("from werkzeug.middleware.dispatcher import DispatcherMiddleware, and assign the result to app.wsgi_app. "
    "The key is the path with its leading slash, \"/health\", and the value the raw function itself, "
    "not a Flask route."),
])
def test_health_mounted(app, client):
    """GET /health reaches health_app (mounted with DispatcherMiddleware); Flask's pages are unchanged"""
    def chain_note():
        found = app.probe("app_object")
        return "Your app.wsgi_app: " + " → ".join(found.get("chain") or ["?"])

    response = client.get("/health")
    if response.status_code != 200 or response.data != b"OK":
        expect(response).status(200)
        fail("the body b'OK' from health_app", got=expect(response).summary(), sent=response.sent, note=chain_note())
    expect(response).header("Content-Type", "text/plain; charset=utf-8")
    response = client.post("/health")
    expect(response).status(405)
    if response.headers.get("Allow") != "GET":
        fail("Allow: GET, as health_app sends it", got=f"Allow: {response.headers.get('Allow')}", sent=response.sent,
             note="A Flask route answered instead of health_app (Flask adds HEAD and OPTIONS). Mount the raw "
                  "health_app with DispatcherMiddleware. " + chain_note())
    expect(client.get("/items/2")).status(200).text_contains("Item 2: PEP 3333")
    expect(client.get("/about")).status(200)


@check(points=2, hints=[
    ("Behind one reverse proxy, ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1) makes request.remote_addr, "
    "request.scheme and request.host come from the X-Forwarded-* headers. See lesson 6, \"Behind a proxy: ProxyFix\"."),
    ("Add @app.get(\"/whoami\") returning {\"remote_addr\": request.remote_addr, \"scheme\": request.scheme, "
    "\"host\": request.host}. Do not read X-Forwarded-For yourself: anyone can send it."),
    ("x_for=1 trusts one hop, the last address in X-Forwarded-For, the one your own proxy added. x_for=2 would "
    "trust an address the client made up."),
])
def test_whoami_behind_proxy(client):
    """GET /whoami reports the client's address, scheme and host, trusting exactly one proxy (ProxyFix)"""
    expect(client.get("/whoami")).status(200).json(
        {"remote_addr": "127.0.0.1", "scheme": "http", "host": "localhost"})
    response = client.get("/whoami", headers=PROXY_HEADERS)
    expect(response).status(200)
    data = response.get_json(silent=True) or {}
    wanted = {"remote_addr": "203.0.113.7", "scheme": "https", "host": "shelf.example"}
    if data != wanted:
        wrong = [key for key in wanted if data.get(key) != wanted[key]]
        which = {"remote_addr": "x_for=1", "scheme": "x_proto=1", "host": "x_host=1"}
        fail(f"JSON equal to {json.dumps(wanted, sort_keys=True)}", got=f"JSON {json.dumps(data, sort_keys=True)}",
             sent=response.sent, note="Wrong: " + ", ".join(f"{key} (needs ProxyFix's {which[key]})" for key in wrong))
    response = client.get("/whoami", headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.7"})
    expect(response).status(200)
    got = (response.get_json(silent=True) or {}).get("remote_addr")
    if got != "203.0.113.7":
        fail('"remote_addr": "203.0.113.7", the address your one proxy saw', got=f'"remote_addr": {json.dumps(got)}',
             sent=response.sent,
             note="Each proxy appends the address it saw; the client can put anything before that. "
                  "Trust exactly one hop: ProxyFix(..., x_for=1).")


@check(points=1, hints=[
    ("make_server(host, port) builds wsgiref's server around Shelf and returns it, not yet serving. "
    "See lesson 6, \"Running a real server\"."),
    ("from wsgiref.simple_server import make_server as make_wsgi_server; then "
    "return make_wsgi_server(host, port, app). Do not call serve_forever() inside it: main() does that."),
])
def test_real_server(app):
    """shelf.serve.make_server("127.0.0.1", 0) serves Shelf over a real socket: GET /items/2 works"""
    sent = 'make_server("127.0.0.1", 0) in shelf/serve.py, started in a thread'
    started = app.probe("start_server")
    if started["raised"]:
        error = started["raised"]
        where = f" at {error['where']}" if error.get("where") else ""
        fail("make_server to return a server, bound but not yet serving",
             got=f"it raised {error['type']}: {error['message']}{where}", sent=sent)
    if started["port"] is None:
        fail("a server bound to a port (server.server_port)", got=f"make_server returned a {started['type']}",
             sent=sent, note="Return the server object that wsgiref's make_server gives you.")
    if not started["can_serve"]:
        fail("a server with a serve_forever() method", got=f"make_server returned a {started['type']}", sent=sent)
    port = started["port"]
    sent = f"GET /items/2 over a real connection to 127.0.0.1:{port}"
    connection = app.http_connection(port, timeout=3)
    try:
        connection.request("GET", "/items/2", headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        headers = Headers(response.getheaders())
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        fail("an HTTP response from your server", got=f"{type(error).__name__}: {error}", sent=sent,
             note="make_server must bind the host and port it is given; port 0 asks the system for a free one.")
    finally:
        connection.close()
    got = f"{status} · X-Powered-By: {headers.get('X-Powered-By')} · body {quote(body[:200])}"
    if status != 200 or "Item 2: PEP 3333" not in body:
        note = "The server must run the Shelf app from shelf.app (make_server's default app)."
        if status == 500:
            note = ("wsgiref answers 500 when the app raises an exception or breaks PEP 3333; the server printed "
                    "the traceback (shown below, under \"printed\").")
        fail("200 and a page containing 'Item 2: PEP 3333'", got=got, sent=sent, note=note)
    if headers.get("X-Powered-By") != "Shelf":
        fail("X-Powered-By: Shelf on the real server's response too", got=got, sent=sent,
             note="The server calls app(environ, start_response), which runs app.wsgi_app: the middleware "
                  "installed there is in every response.")
