"""Lesson 1 checks: routes, converters, methods and endpoints."""

from grader import check, expect, expect_equal

TITLES = ("Flask docs", "PEP 3333", "Jinja docs")
XSS = "<script>alert(1)</script>"


@check(points=1, hints=[
    "Add a view for the root URL: @app.get(\"/\") above a function that returns the text. See lesson 1, \"Your first route\".",
    "The page must contain exactly \"Welcome to Shelf\" (capital W and S).",
])
def test_index(client):
    """GET / greets the reader with "Welcome to Shelf\""""
    expect(client.get("/")).status(200).mimetype("text/html").text_contains("Welcome to Shelf")


@check(points=2, hints=[
    "Route /items/ with the trailing slash, and build the page from store.all_items(). See lesson 1, \"Trailing slashes\".",
    "Loop over store.all_items() and put each item['title'] in the page, e.g. as <li> elements.",
])
def test_item_list(client):
    """GET /items/ lists the title of every item"""
    expect(client.get("/items/")).status(200).text_contains(*TITLES)


@check(points=1, hints=[
    "Give the rule a trailing slash, \"/items/\": then Flask redirects /items to /items/ by itself. See lesson 1, \"Trailing slashes\".",
])
def test_items_canonical_url(client):
    """GET /items redirects (308) to the canonical URL /items/"""
    expect(client.get("/items")).status(308).header("Location", endswith="/items/")


@check(points=2, hints=[
    "Use a variable part in the rule: @app.get(\"/items/<int:item_id>\"), and look the item up with store.get(item_id). See lesson 1, \"Variable rules\".",
    "The page must contain \"Item 2: PEP 3333\": the id, a colon, then the item's title. Ids start at 1; they are not list positions.",
])
def test_item_detail(client):
    """GET /items/2 shows "Item 2: PEP 3333\""""
    expect(client.get("/items/2")).status(200).text_contains("Item 2: PEP 3333")


@check(points=1, hints=[
    "Let the int converter do the work: <int:item_id> only matches digits, so /items/abc becomes a 404 before your view runs. See lesson 1, \"Converters\".",
])
def test_item_id_is_an_int(client):
    """GET /items/1 works, while /items/abc and /items/-1 are 404 Not Found (the int converter)"""
    expect(client.get("/items/1")).status(200)
    expect(client.get("/items/abc")).status(404)
    expect(client.get("/items/-1")).status(404)


@check(points=1, hints=[
    "Call abort(404) when store.get(item_id) returns None. See lesson 1, \"Variable rules\".",
])
def test_missing_item(client):
    """GET /items/99 (no such item) is 404 Not Found, while /items/3 works"""
    expect(client.get("/items/3")).status(200)
    expect(client.get("/items/99")).status(404)


@check(points=1, hints=[
    ("Wrap every title in escape() before it goes into the HTML you return: f\"<li>{escape(item['title'])}</li>\". "
    "See lesson 1, \"Your first route\"."),
    ("from markupsafe import escape. It turns < into &lt; and > into &gt;, so the browser shows the text instead of "
    "running it. Escape the titles in the list, on an item's page and on a tag's page."),
])
def test_titles_are_escaped(app, client):
    """An item titled <script>alert(1)</script> is shown as text, escaped, on /items/, its own page and its tag's page"""
    item_id = app.probe("add_item", XSS, "https://evil.example/", ["xss"])
    for path in ("/items/", f"/items/{item_id}", "/tags/xss"):
        response = client.get(path)
        response.sent = f"{response.sent} (after saving item {item_id}, titled {XSS})"
        expect(response).status(200).lacks("<script>alert(1)").text_contains(XSS)


@check(points=2, hints=[
    "Add @app.get(\"/tags/<tag>\") and list only store.with_tag(tag). See lesson 1, \"Variable rules\".",
])
def test_tag_page(client):
    """GET /tags/wsgi lists PEP 3333 and nothing else"""
    expect(client.get("/tags/wsgi")).status(200).text_contains("PEP 3333").lacks("Jinja docs", "Flask docs")


@check(points=1, hints=[
    "Route \"/about\" without a trailing slash: that rule answers /about and gives 404 for /about/. See lesson 1, \"Trailing slashes\".",
])
def test_about(client):
    """GET /about works, while /about/ is 404 (a rule without a trailing slash)"""
    expect(client.get("/about")).status(200)
    expect(client.get("/about/")).status(404)


@check(points=1, hints=[
    "List both methods on the rule: @app.route(\"/items/\", methods=[\"GET\", \"POST\"]), and check request.method in the view. See lesson 1, \"HTTP methods\".",
])
def test_post_item(client):
    """POST /items/ answers "Created\""""
    expect(client.post("/items/")).status(200).text_contains("Created")


@check(points=1, hints=[
    "Allow exactly GET and POST on /items/; Flask adds HEAD and OPTIONS itself and answers other methods with 405. See lesson 1, \"HTTP methods\".",
])
def test_other_methods_refused(client):
    """PUT /items/ is 405, and Allow lists exactly GET, HEAD, OPTIONS, POST"""
    response = client.put("/items/")
    expect(response).status(405).header("Allow")
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    expect_equal(allowed, {"GET", "HEAD", "OPTIONS", "POST"}, "the methods in the Allow header of PUT /items/")


@check(points=1, hints=[
    "An endpoint is named after its view function. Name them item_detail and tag. See lesson 1, \"Endpoints and url_for\".",
])
def test_endpoints(app):
    """url_for("item_detail", item_id=2) is /items/2 and url_for("tag", tag="web dev") is /tags/web%20dev"""
    expect_equal(app.url_for("item_detail", item_id=2), "/items/2", 'url_for("item_detail", item_id=2)')
    expect_equal(app.url_for("tag", tag="web dev"), "/tags/web%20dev", 'url_for("tag", tag="web dev")')
