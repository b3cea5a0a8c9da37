"""Lesson 2 checks: responses, JSON, redirects, abort and error handlers."""

from grader import check, expect, fail, quote

PEP_3333 = {"id": 2, "title": "PEP 3333", "url": "https://peps.python.org/pep-3333/", "tags": ["python", "wsgi"]}
NOT_FOUND_PAGE = "Shelf couldn't find that page"


@check(points=2, hints=[
    ("Add @app.get(\"/api/items/<int:item_id>\") and return the item itself: Flask turns a dict into JSON. "
    "See lesson 2, \"Returning JSON\"."),
    ("Return the dict from store.get(item_id) as it is. Do not call str() or json.dumps() on it: that returns "
    "a string, and a string is sent as text/html."),
])
def test_api_item(client):
    """GET /api/items/2 returns item 2 as JSON (id, title, url, tags)"""
    expect(client.get("/api/items/2")).status(200).mimetype("application/json").json_includes(**PEP_3333)
    expect(client.get("/api/items/1")).status(200).json_includes(id=1, title="Flask docs")


@check(points=1, hints=[
    "When store.get(item_id) returns None, call abort(404). See lesson 2, \"Stopping with abort\".",
    ("abort() raises an exception, so nothing after it runs. Do not wrap it in try/except: a bare except "
    "catches the 404 too. And make sure every branch of the view returns something: falling off the end "
    "returns None, which Flask refuses (a TypeError)."),
])
def test_api_unknown_item(client):
    """GET /api/items/99 (no such item) is 404 Not Found, while /api/items/2 works"""
    expect(client.get("/api/items/2")).status(200)
    expect(client.get("/api/items/99")).status(404)


@check(points=2, hints=[
    ("Build the response with make_response(text), then set its mimetype and a Cache-Control header before "
    "returning it. See lesson 2, \"Building a response with make_response\"."),
    ("response.mimetype = \"text/plain\" (without it a string is sent as text/html), and "
    "response.headers[\"Cache-Control\"] = \"public, max-age=3600\"."),
    "The body must start with the line \"User-agent: *\" (a capital U, a lower-case a).",
])
def test_robots_txt(client):
    """GET /robots.txt is plain text, "User-agent: *" then "Disallow: /api/", cached for an hour (Cache-Control)"""
    response = client.get("/robots.txt")
    expect(response).status(200).mimetype("text/plain")
    body = response.get_data(as_text=True)
    if not body.startswith("User-agent: *"):
        fail('the body to start with "User-agent: *", right at its first character',
             got=f"a body that starts {quote(body[:40])}", sent=response.sent,
             note="Spaces or a newline before it count: an indented triple-quoted string adds both."
                  if body.lstrip().startswith("User-agent: *") else None)
    lines = [line.strip() for line in body.splitlines()]
    if "Disallow: /api/" not in lines:
        fail('a line "Disallow: /api/" after "User-agent: *"', got=f"the lines {lines[:5]!r}", sent=response.sent,
             note="Each rule is a line of its own: \"User-agent: *\\nDisallow: /api/\\n\"." if "\\n" in body else None)
    expect(response).header("Cache-Control")
    directives = {part.strip().lower() for part in response.headers["Cache-Control"].split(",")}
    if not {"public", "max-age=3600"} <= directives:
        fail("Cache-Control: public, max-age=3600",
             got=f"Cache-Control: {response.headers['Cache-Control']}", sent=response.sent)


@check(points=1, hints=[
    "Add @app.get(\"/go/<int:item_id>\") that returns redirect(item[\"url\"]). See lesson 2, \"Redirects\".",
    ("Look the item up by its id with store.get(item_id), not by its position in a list, and abort(404) "
    "when there is no such item."),
])
def test_go_redirects_to_link(client):
    """GET /go/2 redirects to the item's own link, https://peps.python.org/pep-3333/"""
    expect(client.get("/go/2")).redirects_to("https://peps.python.org/pep-3333/")
    expect(client.get("/go/1")).redirects_to("https://flask.palletsprojects.com/")
    expect(client.get("/go/99")).status(404)


@check(points=1, hints=[
    "Add @app.get(\"/home\") that returns redirect(url_for(\"index\")). See lesson 2, \"Redirects\".",
    ("Let url_for build the path: it gives \"/\". A hard-coded \"http://localhost:5000/\" breaks as soon as "
    "the app runs anywhere else, and calling index() yourself sends the page instead of a redirect."),
])
def test_home_redirects_to_index(client):
    """GET /home redirects to the index page, Location: /"""
    response = client.get("/home")
    expect(response).status(302, 303)
    if response.location != "/":
        absolute = (response.location or "").startswith(("http://", "https://"))
        fail('Location: / (the path url_for("index") builds)',
             got=f"Location: {response.location}" if response.location else "no Location header",
             sent=response.sent,
             note="That is an absolute URL tied to one host and port; url_for(\"index\") gives the path."
                  if absolute else None)
    expect(client.get("/home", follow_redirects=True)).status(200).text_contains("Welcome to Shelf")


@check(points=2, hints=[
    ("Register one handler for every HTTP error, @app.errorhandler(HTTPException), that returns an HTML "
    "page for a 404, with the status 404. See lesson 2, \"Error handlers\"."),
    ("Return a (body, 404) tuple: the page first, then the status. Without the 404 the page goes out as "
    "200 OK, and (404, page) the other way round is a TypeError."),
    ("Only the 404 gets the Shelf page. For any other error outside /api/, return the error itself "
    "(return error): Flask then sends it with its own status and headers, such as 405 for PUT /items/."),
])
def test_html_not_found_page(client):
    """GET /nope shows Shelf's own HTML 404 page, and other errors keep their status"""
    expect(client.get("/nope")).status(404).mimetype("text/html").text_contains(NOT_FOUND_PAGE)
    expect(client.get("/items/99")).status(404).mimetype("text/html").text_contains(NOT_FOUND_PAGE)
    expect(client.put("/items/")).status(405)


@check(points=2, hints=[
    ("In your HTTPException handler, look at request.path first: when it starts with \"/api/\", answer with "
    "JSON instead of HTML. See lesson 2, \"JSON errors for the API\"."),
    ("The body is {\"error\": error.name, \"status\": error.code}, and the response's status must still be "
    "error.code: a handler's response is 200 unless you say otherwise."),
    ("request.path is the path alone (\"/api/items/99\"); request.url is the whole URL "
    "(\"http://localhost/api/items/99\"), so request.url.startswith(\"/api/\") is never true."),
])
def test_api_errors_are_json(client):
    """Errors under /api/ are JSON: GET /api/items/99 is 404 {"error": "Not Found", "status": 404}"""
    body = {"error": "Not Found", "status": 404}
    expect(client.get("/api/items/99")).status(404).mimetype("application/json").json(body)
    expect(client.get("/api/nothing")).status(404).mimetype("application/json").json(body)


@check(points=2, hints=[
    ("The same HTTPException handler answers the 405 too, as JSON, and must keep the Allow header the 405 "
    "came with. See lesson 2, \"JSON errors for the API\"."),
    ("Start from response = error.get_response(): it already has the right status and the Allow header. "
    "Then replace its body (response.data = json.dumps(...)) and its content_type."),
    "Returning a dict or jsonify(...) from the handler builds a brand-new response, so Allow is lost.",
])
def test_api_method_not_allowed(client):
    """DELETE /api/items/1 is 405 as JSON, and keeps its Allow header"""
    expect(client.get("/api/items/1")).status(200)
    response = client.delete("/api/items/1")
    expect(response).status(405).mimetype("application/json") \
        .json({"error": "Method Not Allowed", "status": 405})
    if "Allow" not in response.headers:
        fail("an Allow header listing the methods that do work (Allow: GET, HEAD, OPTIONS)",
             got=expect(response).summary() + " · no Allow header", sent=response.sent,
             note="HTTP says a 405 must carry Allow. A handler that returns a new body drops it; "
                  "error.get_response() keeps it.")
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    if "GET" not in allowed:
        fail("the Allow header to list GET", got=f"Allow: {response.headers['Allow']}", sent=response.sent)
