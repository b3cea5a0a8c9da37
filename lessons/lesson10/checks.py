"""Lesson 10 checks: Flask-WTF's CSRFProtect, and a hand-written extension, Throttle.

course.toml turns CSRF protection off for every check (``WTF_CSRF_ENABLED = false``), so that the
checks of earlier lessons can post forms without a token, as Flask-WTF's documentation advises for
tests. The two CSRF checks turn it back on for their own app and send the token a browser would:
the one in the page, with the same client (the token is tied to the session cookie).
"""

from html.parser import HTMLParser

from grader import check, expect, fail
from grader.sandbox import StudentError

ITEM = {"title": "Flask extensions", "url": "https://flask.palletsprojects.com/extensions/"}
ACCOUNT = {"username": "ada", "password": "correct horse"}
CSRF_ON = {"WTF_CSRF_ENABLED": True}
DEFAULTS = {"THROTTLE_ENABLED": True, "THROTTLE_DEFAULT_LIMIT": 60, "THROTTLE_WINDOW": 60}
PRESET = {"THROTTLE_ENABLED": False, "THROTTLE_DEFAULT_LIMIT": 5, "THROTTLE_WINDOW": 10}
OTHER_ADDRESS = "203.0.113.9"
SPOOFED_ADDRESS = "198.51.100.23"
IN_PROCESS = "in your app's process: "


class FormFinder(HTMLParser):
    """The forms of a page: their method, action and the named fields each one sends."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.open = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "",
                         "fields": {}}
            self.forms.append(self.open)
        elif tag in ("input", "button", "textarea", "select") and self.open is not None and attrs.get("name"):
            self.open["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = None


def post_forms(response):
    finder = FormFinder()
    finder.feed(response.get_data(as_text=True))
    return [form for form in finder.forms if form["method"] == "post"]


def token_in(response):
    """The csrf_token of the page's POST form(s), or a failure that shows what each form sends."""
    expect(response).status(200)
    forms = post_forms(response)
    if not forms:
        fail("a <form method=\"post\"> in the page", got=expect(response).summary(), sent=response.sent)
    for form in forms:
        if not form["fields"].get("csrf_token"):
            sent_fields = ", ".join(form["fields"]) or "none"
            fail(f"the form that posts to {form['action'] or 'this page'} to carry a hidden csrf_token field with "
                 "a value", got=f"the form's named fields: {sent_fields}", sent=response.sent,
                 note="Add <input type=\"hidden\" name=\"csrf_token\" value=\"{{ csrf_token() }}\"> inside the "
                      "<form>: CSRFProtect refuses every POST that does not send the token back.")
    return forms[0]["fields"]["csrf_token"]


def post_without_token(client, path, data):
    """POST a form without its token: the request CSRFProtect must refuse."""
    try:
        return client.post(path, data=data)
    except StudentError as error:
        message = f"{error.info.get('type')}: {error.info.get('message')}"
        frames = error.info.get("frames") or []
        where = f" (at {frames[-1]['file']}:{frames[-1]['line']}: {frames[-1]['code']})" if frames else ""
        note = None
        if "request_id" in message:
            note = ("CSRFProtect refused the request in its before_request hook before main's before_app_request "
                    "gave it an id, and after_request then found no g.request_id. Hooks run in the order they "
                    "were registered: call csrf.init_app(app) after registering the blueprints.")
        fail("400 Bad Request: CSRFProtect refuses a POST without the form's csrf_token",
             got=f"your app raised {message}{where}", sent=f"POST {path} with form {data!r} (no csrf_token)",
             note=note)


def post_with_token(client, path, data, location):
    """POST a form with the token from its page, as a browser would: it must redirect to ``location``."""
    response = client.post(path, data=data)
    if response.status_code == 400 and "CSRF" in response.get_data(as_text=True):
        reason = next((line for line in response.get_data(as_text=True).splitlines() if "CSRF" in line), "")
        fail(f"a redirect to {location}: the POST sent the csrf_token its page carried, with the same session "
             "cookie", got=f"400 Bad Request: {reason.replace('<p>', '').replace('</p>', '').strip()}",
             sent=response.sent,
             note="CSRFProtect did not accept the token the page carried. Render it with {{ csrf_token() }}, "
                  "parentheses included: {{ csrf_token }} prints the function, not a token.")
    expect(response).redirects_to(location)


def status_or_fail(response, code, expected, note):
    if response.status_code != code:
        fail(expected, got=expect(response).summary(), sent=response.sent, note=note)


def setup_error_note(error):
    if "positional argument" in error:
        return ("Give the constructor a parameter app=None, and call self.init_app(app) when an app is given: "
                "Throttle(app) is how an app without a factory sets an extension up.")
    if "outside of application context" in error:
        return ("init_app(app) runs in create_app(), where no app context exists yet: set up the app it is "
                "given (app.config, app.extensions), never current_app.")
    return None


@check(points=2, fresh_app=True, config=CSRF_ON, hints=[
    ("Create csrf = CSRFProtect() in shelf/extensions.py and call csrf.init_app(app) in create_app(), after the "
    "blueprints. See lesson 10, \"CSRFProtect\"."),
    ("The form's template needs <input type=\"hidden\" name=\"csrf_token\" value=\"{{ csrf_token() }}\">. The API "
    "takes JSON from programs, not forms from browsers: csrf.exempt(api.bp), right after csrf.init_app(app)."),
    ("If a refused POST crashes instead of answering 400, see lesson 10, \"Hooks run in order\": CSRFProtect's hook "
    "must come after main's, which gives every request its id."),
])
def test_csrf_protect(app, client):
    """With CSRF protection on, POST /auth/register without the page's csrf_token gets 400, with it a redirect; the JSON API needs no token"""
    names = app.probe("extension_names")
    if "csrf" not in names:
        fail('app.extensions["csrf"]: Flask-WTF\'s CSRFProtect set up on the app',
             got="app.extensions holds: " + (", ".join(names) or "nothing"), sent="reading app.extensions",
             note="csrf.init_app(app), called in create_app(), registers it there.")
    token = token_in(client.get("/auth/register"))
    refused = post_without_token(client, "/auth/register", ACCOUNT)
    status_or_fail(refused, 400, "400 Bad Request: the POST did not send the form's csrf_token",
                   "The POST was answered as if nothing were missing: is csrf.init_app(app) called in create_app()? "
                   "A site that accepts this would save a form another site made the browser send.")
    post_with_token(client, "/auth/register", {**ACCOUNT, "csrf_token": token}, "/auth/login")
    created = client.post("/api/items", json=ITEM)
    # Not refused by CSRFProtect: 201 here; from lesson 11 on the API wants its own token (401), which is fine.
    if created.status_code == 400 or created.status_code >= 500:
        fail("201 Created: the JSON API takes no form, so CSRFProtect must not ask it for a csrf_token",
             got=expect(created).summary(), sent=created.sent,
             note="Exempt the API's blueprint: csrf.exempt(api.bp) in create_app(). Its clients are programs "
                  "sending JSON, and a form on another site cannot send JSON.")


@check(points=1, fresh_app=True, config=CSRF_ON, hints=[
    ("Every <form method=\"post\"> needs the token: <input type=\"hidden\" name=\"csrf_token\" "
    "value=\"{{ csrf_token() }}\">. See lesson 10, \"The token in every form\"."),
    ("Five templates have a POST form: auth/register.html, auth/login.html, items/new.html, items/edit.html and "
    "the delete button's little form in items/detail.html."),
])
def test_forms_carry_token(client):
    """Every POST form (register, log in, add, edit, delete) carries the csrf_token, so a user can use them all with CSRF protection on"""
    token = token_in(client.get("/auth/register"))
    post_with_token(client, "/auth/register", {**ACCOUNT, "csrf_token": token}, "/auth/login")
    token = token_in(client.get("/auth/login"))
    post_with_token(client, "/auth/login", {**ACCOUNT, "csrf_token": token}, "/")
    token = token_in(client.get("/items/new"))
    post_with_token(client, "/items/new", {**ITEM, "tags": "flask", "csrf_token": token}, "/items/4")
    for path in ("/items/4", "/items/4/edit"):  # the delete button's form, and the edit form
        token_in(client.get(path))


@check(points=2, config={"THROTTLE_DEFAULT_LIMIT": 5}, hints=[
    ("In shelf/throttle.py, Throttle.__init__(self, app=None) calls self.init_app(app) when an app is given; "
    "init_app(app) sets the defaults and puts the app's state in app.extensions[\"throttle\"]. See lesson 10, "
    "\"Writing an extension\"."),
    ("Defaults go in with app.config.setdefault(\"THROTTLE_DEFAULT_LIMIT\", 60) (and THROTTLE_ENABLED=True, "
    "THROTTLE_WINDOW=60): a value the app already has wins. See lesson 10, \"Settings with setdefault\"."),
    "create_app() calls throttle.init_app(app), with throttle = Throttle() made once in shelf/extensions.py.",
])
def test_throttle_init_app(app):
    """Throttle(app) and Throttle().init_app(app) both set an app up: app.extensions["throttle"], and THROTTLE_* defaults that never replace the app's own settings"""
    setups = app.probe("throttle_setups")
    if "error" in setups:
        fail("shelf/throttle.py to define the class Throttle", got=setups["error"],
             sent=IN_PROCESS + "from shelf.throttle import Throttle")
    styles = (("direct", "Throttle(app) on a new Flask app", DEFAULTS),
              ("factory", "throttle = Throttle(), then throttle.init_app(app) on a new Flask app", DEFAULTS),
              ("preset", f"throttle.init_app(app) on a new Flask app whose config already has {PRESET}", PRESET))
    for style, sent, wanted in styles:
        result = setups[style]
        if "error" in result:
            fail(f"{sent.split(' on ')[0]} to set the app up", got=f"it raised {result['error']}",
                 sent=IN_PROCESS + sent, note=setup_error_note(result["error"]))
        if not result["extension"]:
            fail('app.extensions["throttle"] to hold the app\'s throttle state', got='app.extensions has no "throttle"',
                 sent=IN_PROCESS + sent, note="init_app(app) registers the extension on the app it sets up: "
                                              "app.extensions[\"throttle\"] = ... (the counts of that app).")
        if result["config"] != wanted:
            note = None
            if style == "preset":
                note = ("init_app() replaced settings the app already had. Write defaults with "
                        "app.config.setdefault(key, value): the app's own value (from test_config, "
                        "instance/config.py or FLASK_*) must win.")
            fail(f"the settings {wanted}", got=f"the settings {result['config']}", sent=IN_PROCESS + sent, note=note)
    names = app.probe("extension_names")
    if "throttle" not in names:
        fail('create_app() to set Throttle up: app.extensions["throttle"] on the app it returns',
             got="app.extensions holds: " + (", ".join(names) or "nothing"), sent="reading app.extensions",
             note="Call throttle.init_app(app) in create_app(), with the throttle object from shelf/extensions.py.")
    limit = app.config("THROTTLE_DEFAULT_LIMIT")
    if limit != 5:
        fail("THROTTLE_DEFAULT_LIMIT == 5, from the test_config create_app() was given",
             got=f"THROTTLE_DEFAULT_LIMIT == {limit!r}", sent='create_app({"THROTTLE_DEFAULT_LIMIT": 5, ...})',
             note="test_config is applied before init_app() runs, so init_app() must only add the settings "
                  "that are missing: app.config.setdefault(...).")


@check(points=2, config={"THROTTLE_DEFAULT_LIMIT": 3}, hints=[
    ("Decorate the API's create view with @throttle.limit(), below @bp.post(\"/items\"). limit() counts the calls "
    "of each (request.remote_addr, request.endpoint) and refuses the one over the limit. "
    "See lesson 10, \"A decorator that counts\"."),
    ("When the limit is reached, raise werkzeug's TooManyRequests(retry_after=seconds): the app's error handler "
    "answers JSON under /api/, and error.get_response() keeps the Retry-After header. "
    "See lesson 10, \"Answering 429\"."),
    ("An allowed call goes through make_response(view(...)) and gets X-RateLimit-Limit (the limit) and "
    "X-RateLimit-Remaining (calls left in this window, 0 after the last one). Remember functools.wraps."),
])
def test_limit(app, client):
    """With THROTTLE_DEFAULT_LIMIT=3, POST /api/items answers 201 three times then 429 with Retry-After, made-up X-Forwarded-For or not; another address and another view count apart"""
    allowed = [client.post("/api/items", json=ITEM) for _ in range(3)]
    for response in allowed:
        expect(response).status(201)
    refused = client.post("/api/items", json=ITEM)
    if refused.status_code == 201:
        note = ("The calls were not counted, or the limit was not applied: POST /api/items needs @throttle.limit() "
                "below @bp.post(\"/items\"), and the counts must outlive the request (not in g).")
        if client.post("/api/items", json=ITEM).status_code == 429:
            note = ("The fifth call was refused, so one call too many got through: with a limit of 3, the call "
                    "that finds 3 already counted is refused (allow while used < allowed).")
        status_or_fail(refused, 429, "429 Too Many Requests: the fourth call from one address, with a limit of 3",
                       note)
    expect(refused).status(429).json({"error": "Too Many Requests", "status": 429}).header("Retry-After")
    retry = refused.headers["Retry-After"]
    if not retry.isdigit() or not 1 <= int(retry) <= 60:
        fail("Retry-After: the seconds until the window ends, between 1 and THROTTLE_WINDOW (60)",
             got=f"Retry-After: {retry}", sent=refused.sent)
    for left, response in zip((2, 1, 0), allowed):
        expect(response).header("X-RateLimit-Limit", "3").header("X-RateLimit-Remaining", str(left))
    spoofed = client.post("/api/items", json=ITEM, headers={"X-Forwarded-For": SPOOFED_ADDRESS})
    status_or_fail(spoofed, 429, "429 Too Many Requests: the same client, though it now claims another address in "
                   "X-Forwarded-For", "No proxy stands in front of this app (PROXY_HOPS is 0), so the visitor wrote "
                   "that header: ProxyFix must stay off (lesson 7), and the throttle counts by request.remote_addr, "
                   "never by the header.")
    other = client.post("/api/items", json=ITEM, environ_base={"REMOTE_ADDR": OTHER_ADDRESS})
    status_or_fail(other, 201, f"201 Created: a client at another address ({OTHER_ADDRESS}) has a budget of its own",
                   "Count each client apart: the key of a count is (request.remote_addr, request.endpoint).")
    expect(other).header("X-RateLimit-Remaining", "2")
    views = app.probe("two_views")
    sent = (IN_PROCESS + "a new Flask app with Throttle(app), POST /one under @throttle.limit(1) twice, then POST "
            "/two under @throttle.limit(2) three times")
    if "error" in views:
        fail("the app to be set up", got=f"it raised {views['error']}", sent=sent,
             note="Two views under limit() clash (\"overwriting an existing endpoint function\") when the wrapper "
                  "lacks @functools.wraps(view)." if "overwriting" in views["error"] else None)
    if views["statuses"] != [200, 429, 200, 200, 429]:
        fail("the statuses 200, 429 for /one, then 200, 200, 429 for /two",
             got="the statuses " + ", ".join(map(str, views["statuses"])), sent=sent,
             note="limit(calls) uses calls when it is given (THROTTLE_DEFAULT_LIMIT only when it is None), and each "
                  "view (request.endpoint) has a count of its own.")


@check(points=2, hints=[
    ("Keep each app's counts in app.extensions[\"throttle\"], made in init_app(app), and find them with "
    "current_app.extensions[\"throttle\"] while a request runs. See lesson 10, \"State per app, not per object\"."),
    ("The Throttle object is made once, at import time, and serves every app create_app() builds: it must not "
    "keep an app (self.app) or counts of its own, and neither may the module (a global dict)."),
    "reset() clears current_app's counts: it runs in an app context, like a request.",
])
def test_counts_per_app(app):
    """Two apps from create_app() count apart, throttle.reset() clears the current app's counts, and the Throttle object keeps no app"""
    result = app.probe("apps_apart")
    sent = (IN_PROCESS + 'two apps from create_app({"THROTTLE_DEFAULT_LIMIT": 2, ...}), then POST /api/items on '
            "the first, the first, the second, the first")
    if "error" in result:
        fail("two apps from create_app() and the throttle object of shelf/extensions.py", got=result["error"],
             sent=sent)
    statuses = result["statuses"]
    shown = "the statuses " + ", ".join(map(str, statuses))
    if statuses[:2] != [201, 201]:
        fail("201, 201: the first app's first two calls are allowed", got=shown, sent=sent)
    if result["holds_app"]:
        names = ", ".join(f"self.{name}" for name in result["holds_app"])
        fail("a Throttle object that keeps no app", got=f"{names} is a Flask app", sent=sent,
             note="One Throttle serves every app: an app kept on it is the last one init_app() saw, and every "
                  "other app would use its settings and counts. Use current_app at request time.")
    if statuses[2] != 201:
        fail("201 for the second app's first call: it has counts of its own", got=shown, sent=sent,
             note="The apps share their counts. Keep them in app.extensions[\"throttle\"] (a new object for each "
                  "app, made in init_app), never in a module-level dict or on the Throttle object.")
    if statuses[3] != 429:
        fail("429 for the first app's third call: its limit is 2", got=shown, sent=sent,
             note="Fix task 4's check first. The counts must outlive the request (g is emptied after "
                  "every request), and the call that finds the limit reached is refused.")
    sent += ', then throttle.reset() in "with first.app_context():" and POST /api/items on the first again'
    reset = result["reset"]
    if "error" in reset:
        fail("throttle.reset() to clear the current app's counts", got=f"it raised {reset['error']}", sent=sent)
    if reset["status"] != 201:
        fail("201: after reset(), the first app allows calls again", got=f"status {reset['status']}", sent=sent,
             note="reset() empties current_app.extensions[\"throttle\"]'s counts.")


@check(points=1, config={"THROTTLE_ENABLED": False, "THROTTLE_DEFAULT_LIMIT": 2}, hints=[
    ("At the start of each call, the wrapper in limit() checks current_app.config[\"THROTTLE_ENABLED\"]: when it is "
    "false, it simply returns view(*args, **kwargs). See lesson 10, \"A decorator that counts\"."),
    ("Read the setting while the request runs, and give it its default with setdefault in init_app(): a test "
    "turns throttling off with create_app({\"THROTTLE_ENABLED\": False})."),
])
def test_throttle_disabled(app, client):
    """With THROTTLE_ENABLED=False, POST /api/items is never refused (the same app with it on refuses the third call)"""
    on = app.probe("statuses_of_new_app", {"THROTTLE_ENABLED": True, "THROTTLE_DEFAULT_LIMIT": 2}, 3)
    sent = IN_PROCESS + 'create_app({"THROTTLE_ENABLED": True, "THROTTLE_DEFAULT_LIMIT": 2, ...}), POST /api/items 3 times'
    if on != [201, 201, 429]:
        fail("the statuses 201, 201, 429: with throttling on, the third call is refused",
             got="the statuses " + ", ".join(map(str, on)) if isinstance(on, list) else on["error"], sent=sent,
             note="This check needs POST /api/items under @throttle.limit() first (task 4).")
    for number in range(1, 5):
        response = client.post("/api/items", json=ITEM)
        status_or_fail(response, 201, f"201 Created for call {number}: THROTTLE_ENABLED is False, so nothing is "
                       "counted or refused", "limit()'s wrapper must read current_app.config[\"THROTTLE_ENABLED\"] "
                       "and call the view directly when it is false; init_app() must not overwrite the setting.")


@check(points=1, config={"THROTTLE_DEFAULT_LIMIT": 1}, hints=[
    ("In shelf/throttle.py, signals = Namespace() and request_throttled = signals.signal(\"request-throttled\"); "
    "send it just before refusing a request. See lesson 10, \"Signals\"."),
    ("Send it with the app itself as sender: request_throttled.send(current_app._get_current_object(), "
    "endpoint=request.endpoint). current_app is only a proxy, and a receiver connected for one app "
    "compares the sender with that app."),
])
def test_request_throttled_signal(app):
    """A refused request sends request_throttled once, with the app itself as sender and endpoint="api.create\""""
    result = app.probe("signal_receipts")
    sent = (IN_PROCESS + "a receiver connected to shelf.throttle.request_throttled, then POST /api/items twice "
            "with THROTTLE_DEFAULT_LIMIT=1")
    if "error" in result:
        fail("a blinker signal request_throttled in shelf/throttle.py", got=result["error"], sent=sent)
    if result["statuses"] != [201, 429]:
        fail("the statuses 201, 429: the second call is over the limit", sent=sent,
             got="the statuses " + ", ".join(map(str, result["statuses"])),
             note="The signal is sent when a call is refused: fix task 4's check first.")
    receipts = result["receipts"]
    if len(receipts) != 1:
        fail("the receiver called once, for the refused call", got=f"the receiver was called {len(receipts)} time(s)",
             sent=sent, note="Send the signal in limit()'s wrapper, once, just before raising TooManyRequests."
             if not receipts else "Send it only when a call is refused.")
    receipt = receipts[0]
    if not receipt["is_app"]:
        fail("sender: the app itself", got=f"sender: a {receipt['type']}", sent=sent,
             note="current_app is a proxy that stands for whichever app handles the request. Send the real "
                  "object: current_app._get_current_object()." if receipt["proxy"] else None)
    if receipt["extra"].get("endpoint") != "api.create":
        fail('the keyword argument endpoint="api.create"', got=f"the keyword arguments {receipt['extra']}",
             sent=sent, note="Pass endpoint=request.endpoint to send().")


@check(points=1, hints=[
    ("Connect a receiver to Flask's own got_request_exception signal in create_app(): "
     "got_request_exception.connect(main.log_unhandled_error, app). See lesson 10, \"Flask's own signals\"."),
    ("The receiver takes (sender, exception, **extra) and logs one error line through sender.logger, with "
     "g.get(\"request_id\", \"-\") in it and type(exception).__name__. Keep a module-level function: blinker holds "
     "receivers by weak reference, so one defined inside create_app() would vanish."),
])
def test_unhandled_errors_are_logged(app):
    """An error no handler answers is logged through got_request_exception, in one ERROR line with its request id"""
    result = app.probe("unhandled_error_log", "boom-42")
    sent = (IN_PROCESS + "a new app from create_app(), with one more view that divides by zero, then GET it with "
            "X-Request-ID: boom-42, listening to app.logger")
    if "error" in result:
        fail("create_app() to build the app", got=f"it raised {result['error']}", sent=sent)
    errors = [line for record in result["records"] if record["level"] in ("ERROR", "CRITICAL")
              for line in record["shown"]]
    if not any("boom-42" in line and "ZeroDivisionError" in line for line in errors):
        shown = " | ".join(repr(line) for line in errors[:3]) or "no ERROR line"
        fail("an ERROR line through app.logger with the request id boom-42 and the exception's type, "
             "ZeroDivisionError", got=f"app.logger logged: {shown}", sent=sent,
             note="With TESTING on, Flask sends got_request_exception and then lets the error through, without "
                  "logging it itself: only your receiver can write that line.")
