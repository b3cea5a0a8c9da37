"""Lesson 11 checks: a REST API with MethodView, tokens signed with itsdangerous, pagination and a streamed CSV.

The checks that write make their accounts through lesson 9's form (CSRF protection is off in
checks, see course.toml), then trade the password for a token at POST /api/tokens, as a script
would. Every check's app has a new database: the first account registered gets the id 1.
"""

import base64
import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

from werkzeug.http import parse_options_header

from grader import check, expect, fail
from grader.sandbox import StudentError

ANA = "ana_lee"
BO = "bo_chen"
PASSWORD = "correct horse battery"
IN_PROCESS = "in your app's process: "
WERKZEUG = {"title": "Werkzeug docs", "url": "https://werkzeug.palletsprojects.com/", "tags": ["python", "wsgi"]}
CLICK = {"title": "Click docs", "url": "https://click.palletsprojects.com/", "tags": ["python", "cli"]}
NEEDS_TOKEN = "task 3: writes need Authorization: Bearer <token>"


# --- requests and what came back ---------------------------------------------------------------

def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def after(response, what):
    """Say in the failure report what happened before this request (or what its headers mean)."""
    response.sent = f"{response.sent} ({what})"
    return response


def status_or_fail(response, code, expected, note=None):
    if response.status_code != code:
        fail(expected, got=expect(response).summary(), sent=response.sent, note=note)
    return response


def json_error(response, status, message=None):
    """A JSON answer {"error": "..."} with this status (and this message, when given)."""
    expect(response).json_error(status, message, not_json_note="Errors under /api/ are JSON: abort(...) goes "
                                "through the app's HTTPException handler, and a dict returned with a status is JSON.")
    return response


def unauthorized(response, scheme, note=None):
    """401 as JSON, with WWW-Authenticate naming the scheme the client should use."""
    if response.status_code != 401:
        fail(f"401 Unauthorized, with WWW-Authenticate: {scheme} ...", got=expect(response).summary(),
             sent=response.sent, note=note)
    challenge = response.headers.get("WWW-Authenticate", "")
    if challenge.split(" ")[0].lower() != scheme.lower():
        fail(f"WWW-Authenticate: {scheme} ... on the 401: it tells the client how to authenticate",
             got=f"WWW-Authenticate: {challenge}" if challenge else "no WWW-Authenticate header", sent=response.sent,
             note=f"Raise werkzeug's Unauthorized(www_authenticate=WWWAuthenticate(\"{scheme.lower()}\", ...)): "
                  "abort(401) sends no challenge, and a handler that builds a new response drops the header "
                  "(error.get_response() keeps it).")
    json_error(response, 401)


def located_path(response):
    """A Location header as a path when it points at this site (/api/items/4 or http://localhost/api/items/4)."""
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path if not parts.netloc or parts.hostname == "localhost" else None


# --- accounts and tokens -----------------------------------------------------------------------

def register(client, username):
    response = client.post("/auth/register", data={"username": username, "password": PASSWORD})
    if response.status_code not in (302, 303):
        fail(f"registering {username} with lesson 9's form to work (a redirect to /auth/login)",
             got=expect(response).summary(), sent=response.sent,
             note="This check makes its accounts through POST /auth/register, as lesson 9's checks do.")


def token_for(client, username):
    """Register ``username``, then trade the password for a token at POST /api/tokens."""
    register(client, username)
    response = after(client.post("/api/tokens", headers=basic(username, PASSWORD)),
                     f"Basic credentials of {username}, who just registered")
    data = response.get_json(silent=True)
    if response.status_code != 201 or not isinstance(data, dict) or not isinstance(data.get("token"), str):
        fail('201 Created with JSON {"token": "...", "expires_in": ...}', got=expect(response).summary(),
             sent=response.sent, note="This check needs a token first: POST /api/tokens (task 2).")
    return data["token"]


def claiming(token, user_id):
    """``token`` with its payload replaced by another user's id, its signature kept: a forgery."""
    payload = base64.urlsafe_b64encode(json.dumps(user_id).encode()).decode().rstrip("=")
    parts = token.split(".")
    return ".".join([payload, *parts[1:]])


def probe_token(app, name, *args, sent):
    result = app.probe(name, *args)
    if "error" in result or result["status"] != 201 or not result["token"]:
        fail("201 Created with a token from POST /api/tokens",
             got=f"it raised {result['error']}" if "error" in result else f"status {result['status']}", sent=sent)
    return result["token"]


# --- the checks --------------------------------------------------------------------------------

@check(points=2, hints=[
    ("Write two classes in shelf/api.py, ItemListAPI(MethodView) with get() and post(), ItemAPI(MethodView) with "
     "get(item_id), patch(item_id) and delete(item_id), and register them with bp.add_url_rule(\"/items\", "
     "view_func=ItemListAPI.as_view(\"items\")) and the same for \"/items/<int:item_id>\" and \"item\". See lesson "
     "11, \"Class-based views: MethodView\"."),
    ("A MethodView answers the methods it has a function for: PUT, which neither class defines, is a 405 with an "
     "Allow header. Flask raises it while routing, before any view of the api blueprint runs, so only the app-wide "
     "handler of lesson 7 (main's @bp.app_errorhandler) turns it into JSON. See lesson 11, \"Errors stay JSON\"."),
])
def test_class_based_views(app, client):
    """/api/items and /api/items/<id> are MethodView classes (endpoints api.items and api.item); PUT gets a JSON 405 with Allow"""
    expect(client.get("/api/items/2")).status(200).json_includes(id=2, title="PEP 3333")
    views = app.probe("view_classes")
    routes = app.routes()
    by_endpoint = {route["endpoint"]: route["rule"] for route in routes}
    by_rule = {route["rule"]: route["endpoint"] for route in routes}
    for endpoint, rule, cls in (("api.items", "/api/items", "ItemListAPI"),
                                ("api.item", "/api/items/<int:item_id>", "ItemAPI")):
        found = views[endpoint]
        if not found["exists"] or by_endpoint.get(endpoint) != rule:
            where = f"{endpoint} is at {by_endpoint[endpoint]}" if endpoint in by_endpoint else f"no endpoint {endpoint}"
            fail(f"the endpoint {endpoint} at {rule}", sent="listing app.url_map",
                 got=where + (f"; {rule} has the endpoint {by_rule[rule]}" if rule in by_rule else f"; no rule {rule}"),
                 note=f"as_view(name) names the endpoint: {cls}.as_view(\"{endpoint.split('.')[1]}\"), registered on "
                      "the blueprint api, is " + endpoint + ".")
        if not found["method_view"]:
            fail(f"the view of {endpoint} made by as_view() from a subclass of flask.views.MethodView",
                 got=f"{endpoint} is made by {found['class']}, which is not a MethodView" if found["class"]
                 else f"{endpoint} is the plain function {found['function']}()",
                 sent=IN_PROCESS + f"app.view_functions[{endpoint!r}].view_class",
                 note=f"class {cls}(MethodView) with one function per HTTP method (get, post, ...), registered with "
                      f"bp.add_url_rule(\"{rule.removeprefix('/api')}\", view_func={cls}.as_view(...)). A plain "
                      "function that branches on request.method does the same job by hand.")
    for path, methods in (("/api/items/2", {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}),
                          ("/api/items", {"GET", "HEAD", "OPTIONS", "POST"})):
        response = client.put(path, json=WERKZEUG)
        expect(response).status(405).json({"error": "Method Not Allowed", "status": 405})
        allowed = {method.strip() for method in response.headers.get("Allow", "").split(",") if method.strip()}
        if allowed != methods:
            fail(f"Allow: {', '.join(sorted(methods))}: the methods {path} answers", sent=response.sent,
                 got=f"Allow: {response.headers['Allow']}" if "Allow" in response.headers else "no Allow header",
                 note="A MethodView's methods are the functions it defines: get, post, patch, delete (HEAD and "
                      "OPTIONS come with them). The JSON handler must start from error.get_response(), which keeps "
                      "the Allow header.")
    expect(client.get("/api/nope")).status(404).json({"error": "Not Found", "status": 404})
    expect(client.get("/nope")).status(404).mimetype("text/html")


@check(points=3, fresh_app=True, hints=[
    ("POST /api/tokens reads the username and password from request.authorization (Basic auth), checks them like "
     "login() does, and answers 201 {\"token\": ..., \"expires_in\": API_TOKEN_MAX_AGE}. See lesson 11, \"Trading a "
     "password for a token\"."),
    ("Refuse with werkzeug's Unauthorized(www_authenticate=WWWAuthenticate(\"basic\", {\"realm\": \"Shelf\"})) for "
     "POST /api/tokens, and with WWWAuthenticate(\"bearer\") in token_user(). See lesson 11, \"Who is calling: "
     "token_user()\"."),
    ("token_user() refuses a request whose request.authorization is None or not of type \"bearer\", and a token "
     "that _tokens().loads(token, max_age=...) rejects with BadSignature; post() calls it first."),
])
def test_tokens(app, client):
    """POST /api/tokens trades a username and password (Basic auth) for a token; POST /api/items needs that token, else 401 with WWW-Authenticate"""
    register(client, ANA)
    response = after(client.post("/api/tokens", headers=basic(ANA, PASSWORD)), f"{ANA}'s username and password")
    expect(response).status(201).mimetype("application/json")
    data = response.get_json()
    if not isinstance(data, dict) or not isinstance(data.get("token"), str) or not data["token"] \
            or data.get("expires_in") != 3600:
        fail('JSON {"token": "<a signed token>", "expires_in": 3600}', got=expect(response).summary(),
             sent=response.sent, note="expires_in tells the client how long the token lasts: "
                                      "current_app.config[\"API_TOKEN_MAX_AGE\"], 3600 by default.")
    token = data["token"]
    if ANA in token or PASSWORD in token:
        fail("a signed token, not the credentials themselves", got=f"token {token!r}", sent=response.sent)
    for username, password, what in ((ANA, "not the password", "a wrong password"),
                                     ("nobody_here", PASSWORD, "a username nobody registered")):
        refused = after(client.post("/api/tokens", headers=basic(username, password)), f"Basic credentials: {what}")
        unauthorized(refused, "Basic")
    unauthorized(after(client.post("/api/tokens"), "no Authorization header"), "Basic")
    unauthorized(after(client.post("/api/items", json=WERKZEUG), "no Authorization header"), "Bearer",
                 note=f"Saving an item needs a token now ({NEEDS_TOKEN}): post() starts with user_id = token_user().")
    unauthorized(client.post("/api/items", json=WERKZEUG, headers=bearer("not-a-real-token")), "Bearer",
                 note="A token that does not load (BadSignature) is refused: catch BadSignature and raise the 401.")
    created = after(client.post("/api/items", json=WERKZEUG, headers=bearer(token)), f"{ANA}'s token")
    status_or_fail(created, 201, "201 Created: the token POST /api/tokens gave is accepted")
    expect(created).json_includes(owner_id=1)


@check(points=2, config={"API_TOKEN_MAX_AGE": 600}, hints=[
    ("Sign tokens with URLSafeTimedSerializer(current_app.secret_key, salt=\"shelf-api-token\") and check them with "
     "loads(token, max_age=current_app.config[\"API_TOKEN_MAX_AGE\"]): a token that was changed, signed with "
     "another key, or is too old raises BadSignature. See lesson 11, \"Signing a token with itsdangerous\"."),
    ("Never loads_unsafe(), never a key written in the code, and always max_age: each one lets someone other than "
     "the user make a token the app accepts."),
])
def test_forged_tokens(app, client):
    """A token edited to name another user, one signed with another SECRET_KEY and one older than API_TOKEN_MAX_AGE all get 401"""
    token = token_for(client, ANA)
    other = app.test_client()
    their_token = token_for(other, BO)
    expect(other.post("/api/items", json=CLICK, headers=bearer(their_token))).status(201).json_includes(id=4)
    change = {"title": "Taken over"}
    response = after(client.patch("/api/items/4", json=change, headers=bearer(claiming(token, 2))),
                     f"{ANA}'s token with its payload changed to say user 2, {BO}, who owns item 4")
    unauthorized(response, "Bearer", note="The token's signature no longer matches its payload, so loads() raises "
                                          "BadSignature. A token read without checking the signature "
                                          "(loads_unsafe, or decoding it by hand) lets anyone act as anyone.")
    sent = IN_PROCESS + f"POST /api/tokens for {BO} on another Shelf: the same database, another SECRET_KEY"
    foreign = probe_token(app, "token_from_another_app", BO, PASSWORD, sent=sent)
    response = after(client.patch("/api/items/4", json=change, headers=bearer(foreign)),
                     f"a token another Shelf, with another SECRET_KEY, issued to {BO}")
    unauthorized(response, "Bearer", note="Sign with the app's own key, current_app.secret_key: a key written in "
                                          "the code is the same on every copy of Shelf, and public with the code.")
    for minutes, wanted in ((20, 401), (5, 200)):
        sent = IN_PROCESS + f"POST /api/tokens for {BO} with the clock set back {minutes} minutes"
        old = probe_token(app, "token_issued_ago", BO, PASSWORD, minutes * 60, sent=sent)
        response = after(client.patch("/api/items/4", json=change, headers=bearer(old)),
                         f"{BO}'s token issued {minutes} minutes ago; API_TOKEN_MAX_AGE is 600 seconds")
        if wanted == 401:
            unauthorized(response, "Bearer", note="Pass max_age=current_app.config[\"API_TOKEN_MAX_AGE\"] to loads(): "
                                                  "without it, a token never expires, and a leaked one works forever.")
        else:
            status_or_fail(response, 200, f"200: a token 5 minutes old is still good for {BO}, who owns item 4",
                           note="max_age is in seconds: read it from current_app.config[\"API_TOKEN_MAX_AGE\"].")


@check(points=2, fresh_app=True, hints=[
    ("post() returns item, 201, {\"Location\": url_for(\".item\", item_id=item[\"id\"])}, and saves the item with "
     "owner_id=token_user(). See lesson 11, \"Resources, methods and status codes\"."),
    ("Keep lesson 4's checks of the body (request.get_json() answers 415 and 400 itself; a bad item is "
     "{\"error\": ...}, 400) and keep @throttle.limit() on post(): it counts the calls of the endpoint api.items."),
])
def test_create(app, client):
    """POST /api/items with a token answers 201, the item and its Location; bad bodies get JSON 415/400; it is still throttled"""
    token = token_for(client, ANA)
    response = after(client.post("/api/items", json=WERKZEUG, headers=bearer(token)), f"{ANA}'s token")
    status_or_fail(response, 201, "201 Created: a new item was saved",
                   note="201 says that a new resource exists, at the URL in Location: return item, 201, "
                        "{\"Location\": ...}." if response.status_code == 200 else None)
    expect(response).mimetype("application/json").json_includes(id=4, status="unread", owner_id=1, **WERKZEUG)
    if located_path(response) != "/api/items/4":
        fail("Location: /api/items/4, the URL of the new item", sent=response.sent,
             got=f"Location: {response.headers['Location']}" if "Location" in response.headers else "no Location header",
             note="Build it with url_for(\".item\", item_id=item[\"id\"]): the client reads the new item's address "
                  "there.")
    expect(after(client.get("/api/items/4"), "the Location")).status(200).json(response.get_json())
    headers = bearer(token)
    json_error(client.post("/api/items", data={"title": "A form"}, headers=headers), 415)
    json_error(client.post("/api/items", data='{"title": ', content_type="application/json", headers=headers), 400)
    json_error(client.post("/api/items", json={"title": "No link"}, headers=headers), 400, "URL is required.")
    json_error(client.post("/api/items", json={**CLICK, "tags": "python"}, headers=headers), 400)
    expect(after(client.get("/api/items/5"), "after the refused requests")).status(404)
    result = app.probe("throttled_posts", token, CLICK)
    sent = (IN_PROCESS + "a receiver on shelf.throttle.request_throttled, then 3 × POST /api/items with the token "
            'on create_app({"THROTTLE_DEFAULT_LIMIT": 2, ...})')
    if "error" in result:
        fail("create_app() and lesson 10's signal request_throttled", got=f"it raised {result['error']}", sent=sent)
    if result["statuses"] != [201, 201, 429] or result["endpoints"] != ["api.items"]:
        fail('the statuses 201, 201, 429, and request_throttled sent once with endpoint="api.items"', sent=sent,
             got="the statuses " + ", ".join(map(str, result["statuses"])) + "; the signal's endpoints: "
                 + (", ".join(result["endpoints"]) or "none"),
             note="Keep lesson 10's @throttle.limit() on ItemListAPI.post: a decorator on a method works as on a "
                  "function, and request.endpoint is now api.items.")


@check(points=3, fresh_app=True, hints=[
    ("patch(item_id) starts like delete(item_id): user_id = token_user(), the item or abort(404), abort(403) unless "
     "item[\"owner_id\"] == user_id. See lesson 11, \"PATCH changes only what is sent\"."),
    ("PATCH merges: start from the item and take from the JSON only the keys it has (title, url, tags, status); "
     "check the result like a new item (status is \"unread\" or \"read\"), then get_store().update(...) with "
     "the status too."),
    ("delete() answers return \"\", 204: No Content, an empty body. A second DELETE finds no item: 404."),
])
def test_patch_and_delete(app, client):
    """PATCH changes only the fields sent, DELETE answers 204 with an empty body and then 404; only the item's owner may do either (403)"""
    token = token_for(client, ANA)
    headers = bearer(token)
    created = client.post("/api/items", json=WERKZEUG, headers=headers)
    status_or_fail(created, 201, "201 Created: the item this check changes", note="POST /api/items first (task 4).")
    response = after(client.patch("/api/items/4", json={"title": "Werkzeug"}, headers=headers), f"{ANA} owns item 4")
    expect(response).status(200).json_includes(
        id=4, title="Werkzeug", url=WERKZEUG["url"], tags=WERKZEUG["tags"], status="unread")
    response = client.patch("/api/items/4", json={"status": "read"}, headers=headers)
    expect(response).status(200).json_includes(title="Werkzeug", status="read")
    json_error(client.patch("/api/items/4", json={"status": "done"}, headers=headers), 400)
    json_error(client.patch("/api/items/4", json={"url": "ftp://files.example/"}, headers=headers), 400)
    expect(after(client.get("/api/items/4"), "after the two refused PATCHes")).status(200).json_includes(
        title="Werkzeug", url=WERKZEUG["url"], tags=WERKZEUG["tags"], status="read")
    other = app.test_client()
    theirs = bearer(token_for(other, BO))
    refused = ((other.patch("/api/items/4", json={"title": "Mine now"}, headers=theirs), f"{BO}'s token"),
               (other.delete("/api/items/4", headers=theirs), f"{BO}'s token"),
               (client.delete("/api/items/1", headers=headers), "a starter item: it belongs to nobody"))
    for response, what in refused:
        status_or_fail(after(response, what), 403, "403 Forbidden: the item is not theirs",
                       note="Only the owner may change or delete an item: abort(403) unless item[\"owner_id\"] == "
                            "token_user().")
        json_error(response, 403)
    expect(client.patch("/api/items/99", json={"title": "Nothing"}, headers=headers)).status(404)
    response = client.delete("/api/items/4", headers=headers)
    status_or_fail(response, 204, "204 No Content: the item is deleted, and there is nothing to say",
                   note="return \"\", 204" if response.status_code == 200 else None)
    expect(response).body(b"")
    expect(after(client.get("/api/items/4"), "after the DELETE")).status(404)
    expect(after(client.delete("/api/items/4", headers=headers), "a second time")).status(404)


def page_of(response):
    """A page's JSON with its items reduced to their ids, or a failure that shows what came back."""
    data = response.get_json(silent=True)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        fail('JSON {"items": [...], "page": ..., "per_page": ..., "total": ..., "next": ..., "prev": ...}',
             got=expect(response).summary(), sent=response.sent)
    return {**data, "items": [item.get("id") for item in items]}


def link_of(value):
    """A page link as (path, query): "/api/items?page=3&per_page=2" or http://localhost/... alike."""
    if not isinstance(value, str):
        return value
    parts = urlsplit(value)
    return (parts.path if not parts.netloc or parts.hostname == "localhost" else value), parse_qs(parts.query)


def link(page, per_page):
    return f"/api/items?page={page}&per_page={per_page}"


@check(points=2, fresh_app=True, hints=[
    ("GET /api/items reads page and per_page with request.args.get(..., type=int), caps per_page at 100, aborts "
     "with 400 when either is below 1, and returns {\"items\", \"page\", \"per_page\", \"total\", \"next\", "
     "\"prev\"}. See lesson 11, \"Pagination\"."),
    ("next is url_for(\".items\", page=page + 1, per_page=per_page) only when items remain after this page "
     "(start + per_page < total), else None; prev is the page before, or None on page 1."),
])
def test_pagination(app, client):
    """GET /api/items?page=2&per_page=2 returns a page of items with total and next/prev links; per_page is capped at 100, page=0 is a 400"""
    added = app.probe("add_items", [WERKZEUG, CLICK])
    if "error" in added:
        fail("two items added with get_store().add(title, url, tags)", got=f"it raised {added['error']}",
             sent=IN_PROCESS + "with app.app_context(): get_store().add(...) twice")
    cases = (
        ({"page": 2, "per_page": 2}, [3, 4], 2, 2, link(3, 2), link(1, 2)),
        ({"page": 3, "per_page": 2}, [5], 3, 2, None, link(2, 2)),
        ({"per_page": 5}, [1, 2, 3, 4, 5], 1, 5, None, None),
        ({"per_page": 1000}, [1, 2, 3, 4, 5], 1, 100, None, None),
    )
    for query, ids, page, per_page, next_link, prev_link in cases:
        response = after(client.get("/api/items", query_string=query), "5 items saved")
        expect(response).status(200).mimetype("application/json")
        got = page_of(response)
        wanted = {"items": ids, "page": page, "per_page": per_page, "total": 5, "next": next_link, "prev": prev_link}
        shown = {key: got.get(key) for key in wanted}
        if {**shown, "next": link_of(shown["next"]), "prev": link_of(shown["prev"])} != \
                {**wanted, "next": link_of(next_link), "prev": link_of(prev_link)}:
            note = None
            if per_page == 100 and got.get("per_page") != 100:
                note = "Cap per_page: min(requested, 100). Without a cap, one request can ask for every row at once."
            elif got.get("next") is not None and next_link is None:
                note = "The last page has no next: give a next link only when start + per_page < total."
            fail(f"JSON {json.dumps(wanted)} (items shown by their ids)", sent=response.sent,
                 got=f"JSON {json.dumps(shown)}", note=note)
    for query in ({"page": 0}, {"per_page": 0}):
        response = client.get("/api/items", query_string=query)
        status_or_fail(response, 400, "400 Bad Request: pages and page sizes start at 1",
                       note="abort(400) when page < 1 or per_page < 1: the app's handler makes it JSON.")
        json_error(response, 400)


CSV_HEADER = ["id", "title", "url", "tags", "status"]
STREAMING = {"title": "Streaming, with Flask", "url": "https://flask.palletsprojects.com/patterns/streaming/",
             "tags": ["python", "flask"]}


def csv_rows(client, query=None):
    """GET the export and read it with the csv module; explain a crash in the middle of the stream."""
    try:
        response = client.get("/api/items/export.csv", query_string=query)
    except StudentError as error:
        message = f"{error.info.get('type')}: {str(error.info.get('message')).splitlines()[0]}"
        note = None
        if "outside of" in message:
            note = ("The view had returned, and its context was gone, when the generator ran: Flask sends a streamed "
                    "body after the view returns. Decorate the generator with @stream_with_context, which keeps the "
                    "request context alive until the last row is sent.")
        fail("the CSV streamed to the end", got=f"your app raised {message} while the body was being sent",
             sent=error.action, note=note)
    expect(response).status(200).mimetype("text/csv")
    return response, list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def as_lines(rows):
    """Rows as the csv module writes them, lines separated by " / "."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return " / ".join(text.getvalue().splitlines())


def same_rows(response, rows, wanted, note):
    if rows != wanted:
        body = response.get_data(as_text=True)
        fail(f"the lines {as_lines(wanted)}", sent=response.sent,
             got="the lines " + " / ".join(body.splitlines()) if body.strip() else "an empty body", note=note)


@check(points=2, fresh_app=True, hints=[
    ("Return Response(rows(), mimetype=\"text/csv\", headers={\"Content-Disposition\": \"attachment; "
     "filename=shelf.csv\"}), where rows() is a generator that yields one line at a time. See lesson 11, "
     "\"Streaming a response\"."),
    ("Write each line with the csv module (it quotes a title that holds a comma), tags joined with spaces. A "
     "generator that uses request or get_store() needs @stream_with_context: it runs after the view has returned."),
])
def test_export_csv(app, client):
    """GET /api/items/export.csv streams a CSV attachment, header row first; ?tag=flask keeps only the items with that tag"""
    added = app.probe("add_items", [STREAMING])
    if "error" in added:
        fail("an item added with get_store().add(title, url, tags)", got=f"it raised {added['error']}",
             sent=IN_PROCESS + "with app.app_context(): get_store().add(...)")
    response, rows = csv_rows(client)
    if "Content-Length" in response.headers:
        fail("a streamed response, Response(generator, ...): it has no Content-Length, since nobody knows the "
             "length before the last line is sent", sent=response.sent,
             got=f"Content-Length: {response.headers['Content-Length']}: the whole file was built before the "
                 "response started",
             note="Hand Response a generator that yields the lines one by one, not a string: a big export then "
                  "starts at once and never sits whole in memory.")
    disposition, options = parse_options_header(response.headers.get("Content-Disposition", ""))
    if disposition != "attachment" or options.get("filename") != "shelf.csv":
        fail("Content-Disposition: attachment; filename=shelf.csv: the browser saves the file as shelf.csv",
             got=f"Content-Disposition: {response.headers['Content-Disposition']}"
             if "Content-Disposition" in response.headers else "no Content-Disposition header", sent=response.sent)
    flask_docs = ["1", "Flask docs", "https://flask.palletsprojects.com/", "python flask", "unread"]
    streaming = ["4", STREAMING["title"], STREAMING["url"], "python flask", "unread"]
    same_rows(response, rows, [
        CSV_HEADER, flask_docs, ["2", "PEP 3333", "https://peps.python.org/pep-3333/", "python wsgi", "unread"],
        ["3", "Jinja docs", "https://jinja.palletsprojects.com/", "python templates", "unread"], streaming],
        note="Write each line with csv.writer: item 4's title holds a comma, so it must be quoted. The tags are "
             "joined with spaces.")
    same_rows(*csv_rows(client, {"tag": "flask"}), [CSV_HEADER, flask_docs, streaming],
              note="Keep only the items with the tag: get_store().search(tags=[tag]), with tag = "
                   "request.args.get(\"tag\").")
