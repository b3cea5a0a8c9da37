"""Lesson 5 checks: the session, flash messages, request hooks, g, and the application context."""

import base64
import json
import re
import zlib

from grader import check, expect, expect_equal, fail, quote

HEX_ID = re.compile(r"[0-9a-f]{32}")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NOT_FOUND_PAGE = "Shelf couldn't find that page"


def after(response, what):
    """Say in the failure report what happened before this request."""
    response.sent = f"{response.sent} ({what})"
    return response


def recent_list(client, expected, viewed, previous=None):
    """GET /recent must answer ``expected`` (JSON) after the visitor viewed the items in ``viewed``."""
    what = "after viewing " + (", ".join(f"/items/{n}" for n in viewed) if viewed else "nothing yet")
    response = after(client.get("/recent"), what)
    expect(response).status(200).mimetype("application/json")
    got = response.get_json(silent=True)
    if got != expected:
        note = None
        only_first = len(set(viewed)) > 1 and got == [next(iter(viewed))]
        if (previous is not None and got == previous) or only_first:
            note = ("The list did not change. If your view changes session[\"recent\"] in place (append, insert, "
                    "remove), Flask does not notice and never saves it: build a new list and assign it, "
                    "session[\"recent\"] = new_list.")
        elif isinstance(got, list) and sorted(got) == sorted(expected) and got != expected:
            note = "The right ids, in the wrong order: the item viewed last comes first."
        fail(f"GET /recent to answer {json.dumps(expected)} (the ids viewed, newest first, no repeats)",
             got=f"{response.status} · JSON {json.dumps(got)}", sent=response.sent, note=note)
    return response


def view(client, item_id, status=200):
    expect(client.get(f"/items/{item_id}")).status(status)


def request_id(response):
    """The response's X-Request-ID, which must be there."""
    if "X-Request-ID" not in response.headers:
        names = ", ".join(dict.fromkeys(name for name, _ in response.headers.items()))
        fail("an X-Request-ID header on the response", got=f"{response.status} · headers: {names}",
             sent=response.sent)
    return response.headers["X-Request-ID"]


def waiting_flashes(client):
    """The messages flashed but not shown yet, or None when the session cannot be read."""
    try:
        return client.session().get("_flashes")
    except Exception:  # noqa: BLE001 - e.g. no secret key: then there is nothing waiting either
        return None


def fresh_id(response, note=None):
    """The response carries a newly made id: 32 lower-case hex digits, uuid.uuid4().hex."""
    value = request_id(response)
    if not HEX_ID.fullmatch(value):
        hint = note
        if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value):
            hint = "That is str(uuid.uuid4()), with dashes; uuid.uuid4().hex is the same id as 32 hex digits."
        fail("X-Request-ID: 32 lower-case hex digits, a new uuid.uuid4().hex",
             got=f"{response.status} · X-Request-ID: {value}", sent=response.sent, note=hint)
    return value


def session_set_cookie(response):
    """The Set-Cookie header that sets the session cookie, or a failure saying it is missing."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            return header
    others = [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
    fail("a Set-Cookie: session=... header: viewing an item changes session[\"recent\"], so Flask sends the "
         "session cookie", got=f"{response.status} · cookies set: {', '.join(others) if others else 'none'}",
         sent=response.sent,
         note="Keep \"recent\" in Flask's session (from flask import session), not in a cookie of your own.")


def shown(outcome):
    """A probe's outcome, {"value": ...} or {"error": ..., "message": ...}, in words."""
    if "error" in outcome:
        return f"it raised {outcome['error']}: {outcome['message']}"
    return f"it returned {quote(outcome['value'])}"


def decode_session(value):
    """What anyone can read in a Flask session cookie: the part before the first dot is base64 JSON."""
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.loads(zlib.decompress(data) if compressed else data)


@check(points=2, hints=[
    ("Keep the list in Flask's session, which lives in a signed cookie, one per visitor. "
    "See lesson 5, \"The session\" and \"Changing a list in the session\"."),
    ("In item_detail, after the 404 check, call a helper remember_viewed(item_id): build a new list, "
    "[item_id] followed by the old ids except item_id, and assign it: session[\"recent\"] = new_list[:5]."),
    ("session.get(\"recent\", []).append(item_id) changes the list in place: Flask does not see that change and "
    "does not save it. Assigning session[\"recent\"] = ... does get saved. GET /recent returns "
    "session.get(\"recent\", []): a list is sent as JSON."),
])
def test_recently_viewed(client):
    """Viewing items 1, 2, 1 makes GET /recent answer [1, 2], kept in the session"""
    view(client, 1)
    recent_list(client, [1], [1])
    view(client, 2)
    recent_list(client, [2, 1], [1, 2], previous=[1])
    view(client, 1)
    recent_list(client, [1, 2], [1, 2, 1], previous=[2, 1])
    stored = client.session()
    if stored.get("recent") != [1, 2]:
        fail('session["recent"] == [1, 2] in the visitor\'s session cookie',
             got=f"the session holds {json.dumps(stored, sort_keys=True)}",
             sent="decoding the session cookie after viewing /items/1, /items/2, /items/1",
             note="GET /recent answers the right list, but not from the session: a list kept in a Python "
                  "variable is shared by every visitor and lost on restart.")


@check(points=1, fresh_app=True, hints=[
    ("Keep at most 5 ids, the 5 newest: slice the new list before you store it. "
    "See lesson 5, \"Changing a list in the session\"."),
    ("new_list[:5] keeps the first five, which are the newest because the newest goes first. Remember an item "
    "only once you know it exists: after abort(404), not before."),
])
def test_recent_keeps_five(app, client):
    """GET /recent keeps the 5 newest ids, and never a missing item's (404)"""
    ids = app.probe("add_items", 4)
    if ids[:7] != [1, 2, 3, 4, 5, 6, 7]:
        fail("items 1 to 7 after saving four more items", got=f"item ids: {ids}",
             sent="saving four items with store.add(...)")
    for item_id in range(1, 8):
        view(client, item_id)
    recent_list(client, [7, 6, 5, 4, 3], range(1, 8))
    view(client, 99, status=404)
    recent_list(client, [7, 6, 5, 4, 3], [*range(1, 8), 99])
    view(client, 5)
    recent_list(client, [5, 7, 6, 4, 3], [*range(1, 8), 99, 5], previous=[7, 6, 5, 4, 3])


@check(points=1, hints=[
    ("Each visitor has their own session cookie, so each has their own list. A list in a Python variable "
    "(or in g) is not per visitor. See lesson 5, \"The session\" and \"g: data for one request\"."),
    ("GET /recent for a visitor who has viewed nothing must answer [], not fail: "
    "use session.get(\"recent\", []), not session[\"recent\"]."),
])
def test_recent_per_visitor(app, client):
    """Each visitor has their own list: a second client starts with []"""
    view(client, 2)
    view(client, 1)
    recent_list(client, [1, 2], [2, 1], previous=[2])
    other = app.test_client()
    response = after(other.get("/recent"), "from a second visitor, who has viewed nothing")
    expect(response).status(200)
    if response.get_json(silent=True) != []:
        fail("GET /recent to answer [] for a new visitor", sent=response.sent,
             got=f"{response.status} · {quote(response.get_data(as_text=True)[:200])}",
             note="The first visitor's list leaked to the second one: it is stored where every visitor "
                  "shares it, not in each visitor's session.")
    view(other, 3)
    recent_list(other, [3], [3])
    response = after(client.get("/recent"), "from the first visitor, after the second one viewed /items/3")
    expect(response).status(200)
    expect_equal(response.get_json(silent=True), [1, 2], "the first visitor's GET /recent")


@check(points=2, fresh_app=True, hints=[
    ("Call flash(\"Item saved.\", \"success\") before the redirect, and show the messages in base.html with "
    "get_flashed_messages(with_categories=true). See lesson 5, \"Flash messages\"."),
    ("In base.html, inside <main> before the content block: {% for category, message in "
    "get_flashed_messages(with_categories=true) %}<div class=\"flash {{ category }}\">{{ message }}</div>"
    "{% endfor %}"),
    ("Flash only once the item is saved: a flash() before the checks shows \"Item saved.\" on the form's "
    "error page too. And call get_flashed_messages in one template only (base.html), or it shows twice."),
])
def test_flash_after_create(client):
    """Saving an item flashes <div class="flash success">Item saved.</div>, once"""
    form = {"title": "Werkzeug docs", "url": "https://werkzeug.palletsprojects.com/", "tags": "python"}
    response = client.post("/items/new", data=form, follow_redirects=True)
    expect(response).status(200)
    if response.path != "/items/4":
        fail("the form to redirect to the new item's page, /items/4", got=f"{response.status} at {response.path}",
             sent=response.sent)
    found = [flash for flash in expect(response).select("div.flash.success") if flash.text == "Item saved."]
    if len(found) != 1:
        waiting = waiting_flashes(client)
        if found:
            note = "get_flashed_messages() is called in more than one template: keep the loop in base.html only."
        elif waiting:
            note = (f"flash() was called (the message still waits in the session: {json.dumps(waiting)}), "
                    "but no template showed it: loop over get_flashed_messages(with_categories=true) in base.html.")
        elif "Item saved." in expect(response).page_text():
            note = ("\"Item saved.\" is in the page, but not as <div class=\"flash success\">: flash it with the "
                    "category \"success\" and write the category into the class.")
        else:
            note = "No message was flashed: call flash(\"Item saved.\", \"success\") in item_create, before the redirect."
        expect(after(response, "following the redirect")).element("div.flash.success", text="Item saved.", count=1,
                                                                   note=note)
    response = after(client.get("/items/4"), "the next page the visitor opens")
    expect(response).status(200).lacks("Item saved.")
    response = client.post("/items/new", data={"title": "", "url": "https://example.com/"})
    expect(response).status(400).lacks("Item saved.")
    response = after(client.get("/"), "after a form with no title was refused")
    expect(response).status(200).lacks("Item saved.")


@check(points=1, hints=[
    ("Register a function with @app.before_request that stores an id in g.request_id, and one with "
    "@app.after_request that copies it into the response's headers. See lesson 5, \"Request hooks\"."),
    ("Make the id with uuid.uuid4().hex inside the before_request function, so each request gets a new one. "
    "The after_request function must end with return response."),
])
def test_request_id_generated(client):
    """Every response has a new X-Request-ID (32 hex digits), 404s included"""
    first = fresh_id(client.get("/"))
    second = fresh_id(client.get("/"))
    if first == second:
        fail("a different X-Request-ID for each request", got=f"X-Request-ID: {first}, twice",
             sent="GET / twice",
             note="The id is made once, when the module is imported. Make it inside the before_request function.")
    response = client.get("/nope")
    expect(response).status(404)
    fresh_id(response, note="Hooks run for every request, even one with no matching route.")
    response = client.get("/static/style.css")
    expect(response).status(200)
    fresh_id(response)


@check(points=1, hints=[
    ("Keep the caller's X-Request-ID only when it looks safe: 1 to 64 letters, digits or dashes. "
    "See lesson 5, \"Request hooks\"."),
    ("REQUEST_ID = re.compile(r\"[A-Za-z0-9-]{1,64}\") and REQUEST_ID.fullmatch(incoming): re.match and "
    "search accept a string that merely starts or contains a safe part, such as \"abc def\"."),
])
def test_request_id_echoed(client):
    """A safe incoming X-Request-ID is echoed back; an unsafe one is replaced"""
    for path, status, incoming in (("/items/2", 200, "trace-42-abc"), ("/nope", 404, "Trace-404")):
        response = client.get(path, headers={"X-Request-ID": incoming})
        expect(response).status(status)
        value = request_id(response)
        if value != incoming:
            fail(f"X-Request-ID: {incoming}, the id the client sent, echoed back", got=f"X-Request-ID: {value}",
                 sent=response.sent, note="Letters, digits and dashes, 64 at most, are safe: keep the caller's id, "
                                          "so that both sides log the same one.")
    for incoming, why in (("x" * 200, "200 characters long"), ("abc def", "it contains a space"),
                          ("<b>hi</b>", "it contains < and >")):
        response = client.get("/", headers={"X-Request-ID": incoming})
        expect(response).status(200)
        value = request_id(response)
        if value == incoming or not HEX_ID.fullmatch(value):
            fail(f"a new id (32 hex digits) instead of the unsafe one sent, because {why}",
                 got=f"X-Request-ID: {value}", sent=response.sent,
                 note="An id echoed into logs and pages must not be able to carry anything else: check it "
                      "with re.fullmatch, not re.match.")


@check(points=1, hints=[
    ("Log one line per request with app.logger.info(...) in the after_request hook, with the request id in it: "
    "app.logger.info(\"%s %s %s %s\", g.request_id, request.method, request.path, response.status_code). "
    "See lesson 5, \"Logging with app.logger\"."),
    ("Outside debug mode Flask's logger passes on warnings and errors only, so an INFO line vanishes: call "
    "app.logger.setLevel(logging.INFO) once, near the settings. print() is not a log line: it has no level and "
    "no logger to configure."),
])
def test_request_log(app):
    """Each request logs one line with app.logger that carries its request id, method, path and status"""
    for path, status, incoming in (("/items/2", 200, "log-check-200"), ("/nope", 404, "log-check-404")):
        result = app.probe("request_log", path, incoming)
        sent = f"GET {path} with X-Request-ID: {incoming}, listening to app.logger"
        if result["status"] != status:
            fail(f"status {status}", got=f"status {result['status']}", sent=sent)
        lines = [line for record in result["records"] for line in record["shown"]]
        if not lines:
            note = ("app.logger's level is " + result["level"] + ", so INFO lines are dropped: "
                    "app.logger.setLevel(logging.INFO).") if result["level"] not in ("DEBUG", "INFO", "NOTSET") \
                else "Log with app.logger.info(...) in the after_request hook; print() does not reach the logger."
            fail("a line logged through app.logger for the request", got="app.logger logged nothing", sent=sent,
                 note=note)
        wanted = (incoming, "GET", path, str(status))
        if not any(all(part in line for part in wanted) for line in lines):
            fail(f"a logged line with the request id {incoming}, GET, {path} and {status}",
                 got="app.logger logged: " + " | ".join(repr(line) for line in lines[:4]), sent=sent,
                 note="Put g.request_id in the line: with it, every line of one request can be found in a busy log.")


@check(points=2, fresh_app=True, hints=[
    ("current_app is the app handling the current request, or the app whose app_context() is pushed. "
    "See lesson 5, \"Contexts: current_app and request\"."),
    ("In app.py: app.extensions[\"shelf_store\"] = store. In shelf/context.py: "
    "return len(current_app.extensions[\"shelf_store\"].all_items())."),
    ("Do not import the store (or the app) into context.py, and never push a context at import time "
    "(app.app_context().push()): outside a request, current_item_count() must raise RuntimeError."),
])
def test_item_count_helper(app):
    """current_item_count() counts current_app's store, and needs an app context"""
    result = app.probe("item_count_in_contexts")
    sent = "calling current_item_count() from shelf/context.py"
    if result["inside"] != {"value": 3}:
        fail("current_item_count() == 3, the number of items in the store", got=shown(result["inside"]),
             sent=sent + " inside with app.app_context():")
    if not result["registered"]:
        fail('app.extensions["shelf_store"] to be the store module (from shelf import store)',
             got='app.extensions has no "shelf_store" that is the store', sent="reading app.extensions",
             note="Register it right after creating the app: app.extensions[\"shelf_store\"] = store.")
    if result["other_store"] != {"value": 5}:
        fail("the count of the store registered in current_app.extensions[\"shelf_store\"]",
             got=shown(result["other_store"]),
             sent=sent + ", in app.app_context(), after the grader put a store of 5 items there",
             note="The helper counts some other store: the one you imported. Look it up through current_app, "
                  "so the helper works for whichever app is running (lesson 7 will have several).")
    outside = result["outside"]
    if outside.get("error") != "RuntimeError" or "outside of application context" not in outside.get("message", ""):
        note = ("Your code pushes an app context while it is imported (app.app_context().push()), so there is "
                "always one: remove that line and push contexts only where you need one, with a with block."
                if result["pushed_at_import"] else
                "Without a context there is no current app, so a helper that reads current_app raises "
                "RuntimeError: Working outside of application context.")
        fail("RuntimeError: Working outside of application context.", got=shown(outside),
             sent=sent + " with no context pushed", note=note)


@check(points=1, hints=[
    ("request.accept_mimetypes.best_match([\"text/html\", \"application/json\"]) picks the type the client "
    "prefers among the two. See lesson 5, \"Contexts: current_app and request\"."),
    ("wants_json() returns best_match(...) == \"application/json\". accept_json alone is not enough: it is "
    "True for */*, which every browser sends."),
])
def test_wants_json(app):
    """wants_json() is True only when the Accept header prefers JSON to HTML"""
    cases = [("application/json", True), ("application/json, text/plain, */*", True),
             ("text/html;q=0.5, application/json", True), (BROWSER, False), ("text/html", False),
             ("*/*", False), (None, False)]
    results = app.probe("wants_json_for", [accept for accept, _ in cases])
    for (accept, expected), outcome in zip(cases, results):
        header = "no Accept header" if accept is None else f"Accept: {accept}"
        if outcome != {"value": expected}:
            note = None
            if accept in (BROWSER, "*/*") and outcome.get("value") is True:
                note = ("*/* means \"anything will do\", not a preference for JSON. Browsers send it and must still "
                        "get HTML: compare the two types with best_match([\"text/html\", \"application/json\"]), "
                        "text/html first so that it wins a tie.")
            fail(f"wants_json() is {expected}", got=shown(outcome),
                 sent=f"calling wants_json() in app.test_request_context(headers=...) with {header}", note=note)


@check(points=1, hints=[
    ("Let the HTTPException handler answer JSON when the path starts with /api/ or when wants_json() is True. "
    "See lesson 5, \"Contexts: current_app and request\"."),
    ("if request.path.startswith(\"/api/\") or wants_json(): ... the JSON branch you wrote in lesson 2, "
    "unchanged."),
])
def test_json_errors_for_json_clients(client):
    """A client that asks for JSON (Accept: application/json) gets JSON errors"""
    body = {"error": "Not Found", "status": 404}
    response = client.get("/nope", headers={"Accept": BROWSER})
    expect(response).status(404).mimetype("text/html").text_contains(NOT_FOUND_PAGE)
    for path in ("/nope", "/items/99"):
        response = client.get(path, headers={"Accept": "application/json"})
        expect(response).status(404).mimetype("application/json").json(body)
    response = client.put("/items/", headers={"Accept": "application/json"})
    expect(response).status(405).mimetype("application/json") \
        .json({"error": "Method Not Allowed", "status": 405}).header("Allow")


@check(points=2, hints=[
    ("Set app.config[\"SECRET_KEY\"] (it signs the cookie) and app.config[\"SESSION_COOKIE_SAMESITE\"] = \"Lax\"; "
    "Flask makes the session cookie HttpOnly by itself. See lesson 5, \"Signed, not encrypted\"."),
    "Keep SESSION_COOKIE_HTTPONLY at its default, True: JavaScript on the page then cannot read the cookie.",
])
def test_session_cookie(app, client):
    """The session cookie is HttpOnly, SameSite=Lax, signed, and readable by all"""
    response = client.get("/items/2")
    expect(response).status(200)
    header = session_set_cookie(response)
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    if "httponly" not in attributes:
        fail("the session cookie to be HttpOnly", got=f"Set-Cookie: {header}", sent=response.sent,
             note="Without HttpOnly, any script on the page (an injected one too) can read document.cookie.")
    if attributes.get("samesite", "").lower() != "samesite=lax":
        fail("the session cookie to say SameSite=Lax", got=f"Set-Cookie: {header}", sent=response.sent,
             note="Set app.config[\"SESSION_COOKIE_SAMESITE\"] = \"Lax\": the browser then leaves the cookie off "
                  "requests that other sites send in the visitor's name, such as a form posted from another site.")
    value = client.get_cookie("session").value
    readable = decode_session(value)
    expect_equal(readable.get("recent"), [2], "the \"recent\" key decoded from the cookie with base64 alone",
                 note="No secret key was needed to read it: never put a secret in the session.")
    genuine = app.probe("recent_with_cookie", value)
    expect_equal(genuine["json"], [2], "GET /recent sent with the genuine session cookie")
    payload = base64.urlsafe_b64encode(json.dumps({"recent": [3]}, separators=(",", ":")).encode()).decode()
    forged = payload.rstrip("=") + value[value.index("."):]
    tampered = app.probe("recent_with_cookie", forged)
    if tampered["json"] != []:
        fail("GET /recent to answer [] when the cookie's data was changed but its signature was not",
             got=f"{tampered['status']} · JSON {json.dumps(tampered['json'])}",
             sent=f"GET /recent with Cookie: session={forged}",
             note="Flask's session rejects a cookie whose signature does not match. Keep the list in "
                  "flask.session, signed with the app's SECRET_KEY.")
