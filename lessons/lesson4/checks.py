"""Lesson 4 checks: query strings, forms, JSON bodies, uploads, cookies and a custom converter."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

from grader import check, expect, expect_equal, fail

SEED_TITLES = ["Flask docs", "PEP 3333", "Jinja docs"]
WERKZEUG = {"title": "Werkzeug docs", "url": "https://werkzeug.palletsprojects.com/", "tags": ["python", "wsgi"]}
YEAR = 365 * 24 * 60 * 60


# --- reading pages -------------------------------------------------------------------------------

def after(response, what):
    """Say in the failure report what happened before this request."""
    response.sent = f"{response.sent} ({what})"
    return response


def listed(response):
    """The titles of the list page's <li class="item"> entries, in order: each one's link text, else its text."""
    return [(entry.select("a") or [entry])[0].text for entry in expect(response).select("li.item")]


def lists(response, titles, note=None):
    """The page lists exactly ``titles`` as <li class="item"> entries, in this order."""
    expect(response).status(200)
    found = listed(response)
    if found != titles:
        shown = ", ".join(found) if found else "no items"
        fail(f"the list to show {len(titles)} item(s): " + (", ".join(titles) if titles else "none"),
             got=f"{response.status} · listed: {shown}", sent=response.sent, note=note)
    return response


def input_value(response, name):
    """The value of the page's <input name="...">, however it is quoted ("" without one; None with no such input)."""
    inputs = expect(response).select(f'input[name="{name}"]')
    return inputs[0].get("value", "") if inputs else None


def hrefs(response):
    """Every href in the page, entities decoded."""
    return [element.get("href") for element in expect(response).select("[href]")]


def keeps(response, name, value):
    """The form came back with the field ``name`` still holding ``value``."""
    found = input_value(response, name)
    if found != value:
        fail(f'the form to keep what was typed: <input name="{name}" value="{value}">',
             got=f'no <input name="{name}"> in the page' if found is None else f'<input name="{name}" value="{found}">',
             sent=response.sent,
             note="Fill each input's value from what was sent: value=\"{{ request.form.get('" + name + "', '') }}\".")


def page_links(response):
    """The query strings of the page's links to the list that carry a page number."""
    queries = []
    for href in hrefs(response):
        parts = urlsplit(href)
        if parts.path in ("", "/items/") and "page" in parse_qs(parts.query):
            queries.append({key: values[-1] for key, values in parse_qs(parts.query).items()})
    return queries


def links_to_page(response, **query):
    """The page links to the list with (at least) these query arguments."""
    links = page_links(response)
    if not any(all(link.get(key) == value for key, value in query.items()) for link in links):
        wanted = "&".join(f"{key}={value}" for key, value in query.items())
        shown = ", ".join("?" + "&".join(f"{k}={v}" for k, v in link.items()) for link in links) or "none"
        fail(f"a link to /items/?{wanted} (other arguments may come too, in any order)",
             got=f"links with a page number: {shown}", sent=response.sent,
             note="Build the link with url_for('item_list', q=q or None, tag=tags, page=..., per_page=per_page): "
                  "arguments that are not part of the rule go into the query string.")


def location_path(response):
    """The path of a redirect's Location, whether written /items/4 or http://localhost/items/4."""
    parts = urlsplit(response.location or "")
    return parts.path if parts.hostname in (None, "localhost") else response.location


def standard_400(response):
    """A note for Flask's own "400 Bad Request" page, which request.form["missing"] produces."""
    if response.status_code == 400 and "<title>400 Bad Request</title>" in response.get_data(as_text=True):
        return ("That is Flask's own 400 page, not your form: request.form[\"name\"] answers it by itself when the "
                "field was not sent. Use request.form.get(\"name\", \"\") for every field.")
    return None


def shows_form_error(response, message):
    """The form came back: status 400, with ``message`` in the page."""
    note = standard_400(response)
    if note:
        fail(f"the form again, with the status 400 and the message {message!r}", got=expect(response).summary(),
             sent=response.sent, note=note)
    expect(response).status(400).text_contains(message)


def redirects_to_path(response, path):
    if standard_400(response):
        fail("status 302 or 303", got=expect(response).summary(), sent=response.sent, note=standard_400(response))
    expect(response).status(302, 303)
    if location_path(response) != path:
        fail(f"a redirect to {path}",
             got=f"Location: {response.location}" if response.location else "no Location header",
             sent=response.sent)
    return response


def json_error(response, status, message=None):
    """A JSON answer {"error": "..."} with this status (and this message, when given)."""
    expect(response).json_error(status, message, not_json_note="A dict returned from the view is sent as JSON: "
                                                             "return {\"error\": ...}, " + str(status))
    return response


def set_cookie_header(response, name):
    """The response's Set-Cookie line for cookie ``name``, or None."""
    for line in response.headers.getlist("Set-Cookie"):
        if line.split("=", 1)[0].strip() == name:
            return line
    return None


def cookie_attributes(line):
    """``theme=dark; Max-Age=60; HttpOnly`` → {"max-age": "60", "httponly": ""}."""
    found = {}
    for part in line.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        found[key.strip().lower()] = value.strip()
    return found


def has_theme(response, theme, present=True):
    bodies = expect(response).select("body")
    if (bodies and f"theme-{theme}" in bodies[0].classes) != present:
        fail(f'<body class="theme-{theme}">' if present else f'a <body> without the class theme-{theme}',
             got=f"{response.status} · {bodies[0].start_tag if bodies else 'no <body> tag'}", sent=response.sent,
             note="base.html writes <body class=\"theme-{{ theme }}\">, and a context processor gives every template "
                  "theme: \"dark\" when request.cookies.get(\"theme\") == \"dark\", else \"light\".")
    return response


# --- the checks ----------------------------------------------------------------------------------

@check(points=2, fresh_app=True, hints=[
    ("Read the query string with request.args: request.args.get(\"q\", \"\") for the search text and "
    "request.args.getlist(\"tag\") for every ?tag=, then list store.search(q, tags). "
    "See lesson 4, \"Query strings: request.args\"."),
    "request.args.get(\"tag\") returns only the first ?tag=; getlist returns them all, as a list.",
    ("The search box in items/list.html is an <input type=\"search\" name=\"q\" value=\"{{ q }}\"> inside a "
    "<form method=\"get\">: pass q to render_template so the box keeps the text."),
])
def test_search_and_filter(client):
    """GET /items/?q=pep lists only PEP 3333, ?tag=python&tag=wsgi needs both tags, and the box keeps "pep\""""
    response = lists(client.get("/items/?q=pep"), ["PEP 3333"],
                     note="Only the titles containing q (ignoring case) should be listed.")
    value = input_value(response, "q")
    if value != "pep":
        fail('a search box that keeps the text searched for: <input type="search" name="q" value="pep">',
             got='no <input name="q"> in the page' if value is None else f'<input name="q" value="{value}">',
             sent=response.sent)
    lists(client.get("/items/?q=DOCS"), ["Flask docs", "Jinja docs"], note="The search ignores upper/lower case.")
    lists(client.get("/items/?q=zzz"), [])
    lists(client.get("/items/?tag=wsgi"), ["PEP 3333"])
    lists(client.get("/items/?tag=python&tag=templates"), ["Jinja docs"],
          note="Every ?tag= counts: an item must carry all of them. request.args.getlist(\"tag\") returns "
               "[\"python\", \"templates\"].")
    lists(client.get("/items/?q=docs&tag=flask"), ["Flask docs"])
    lists(client.get("/items/"), SEED_TITLES)


@check(points=2, fresh_app=True, hints=[
    ("Read page and per_page with request.args.get(\"page\", 1, type=int): a value that is not a number gives "
    "the default. See lesson 4, \"Paginating a list\"."),
    ("Keep per_page between 1 and 100 and page between 1 and the number of pages (at least 1), then render "
    "items[(page - 1) * per_page : page * per_page]."),
    ("The links: url_for('item_list', q=q or None, tag=tags, page=page + 1, per_page=per_page). The text must "
    "read \"Page 1 of 2\"."),
])
def test_pagination(app, client):
    """?per_page=2 shows 2 items, "Page 1 of 2" and a link to page 2; bad page numbers never crash"""
    response = lists(client.get("/items/?per_page=2"), ["Flask docs", "PEP 3333"])
    expect(response).text_contains("Page 1 of 2")
    links_to_page(response, page="2", per_page="2")
    response = lists(client.get("/items/?per_page=2&page=2"), ["Jinja docs"])
    expect(response).text_contains("Page 2 of 2")
    links_to_page(response, page="1", per_page="2")
    lists(client.get("/items/?page=abc"), SEED_TITLES,
          note="A page that is not a number falls back to 1: request.args.get(\"page\", 1, type=int).")
    lists(client.get("/items/?per_page=abc"), SEED_TITLES)
    expect(lists(client.get("/items/?per_page=2&page=99"), ["Jinja docs"],
                 note="A page past the end shows the last page.")).text_contains("Page 2 of 2")
    expect(lists(client.get("/items/?per_page=2&page=-1"), ["Flask docs", "PEP 3333"],
                 note="A page below 1 shows the first page.")).text_contains("Page 1 of 2")
    expect(lists(client.get("/items/?per_page=0"), ["Flask docs"],
                 note="per_page is kept between 1 and 100, so per_page=0 means 1 item per page.")
           ).text_contains("Page 1 of 3")
    response = lists(client.get("/items/?q=docs&per_page=1"), ["Flask docs"])
    links_to_page(response, q="docs", page="2", per_page="1")
    total = app.probe("add_items", 102)
    response = after(client.get("/items/"), f"with {total} items saved")
    expect(response).status(200)
    found = listed(response)
    if len(found) != 20:
        fail("20 items on a page when per_page is not given", got=f"{len(found)} items listed",
             sent=response.sent)
    expect(response).text_contains("Page 1 of 6")
    response = after(client.get("/items/?per_page=1000"), f"with {total} items saved")
    expect(response).status(200)
    if len(listed(response)) != 100:
        fail("at most 100 items on a page, whatever per_page asks for",
             got=f"{len(listed(response))} items listed", sent=response.sent)


@check(points=2, fresh_app=True, hints=[
    ("Add @app.route(\"/items/new\", methods=[\"GET\", \"POST\"]) and read the fields with "
    "request.form.get(\"title\", \"\"). See lesson 4, \"Validating a form\"."),
    ("When item_error(title, url) returns a message, render items/new.html again with error=... and the status 400: "
    "return render_template(\"items/new.html\", error=error), 400."),
    ("Keep what was typed: value=\"{{ request.form.get('url', '') }}\" on each input. The messages are exactly "
    "\"Title is required.\", \"URL is required.\" and \"URL must start with http:// or https://\"."),
])
def test_form_validation(client):
    """GET /items/new shows the form; a missing title or a bad URL is a 400 with its message, and nothing is saved"""
    response = client.get("/items/new")
    expect(response).status(200).mimetype("text/html")
    for name in ("title", "url", "tags"):
        if input_value(response, name) is None:
            fail(f'the form to have an <input name="{name}">', got=expect(response).summary(), sent=response.sent)
    nav = client.get("/")
    if "/items/new" not in hrefs(nav):
        fail('a link to the form in the nav of every page: <a href="{{ url_for(\'item_create\') }}">Add</a>',
             got="no link to /items/new on GET /", sent=nav.sent)

    response = client.post("/items/new", data={"title": "", "url": "https://kept.example/", "tags": "kept"})
    shows_form_error(response, "Title is required.")
    keeps(response, "url", "https://kept.example/")
    keeps(response, "tags", "kept")
    response = client.post("/items/new", data={"title": "Kept title", "url": ""})
    shows_form_error(response, "URL is required.")
    keeps(response, "title", "Kept title")
    response = client.post("/items/new", data={"title": "Old files", "url": "ftp://files.example/"})
    shows_form_error(response, "URL must start with http:// or https://")
    keeps(response, "url", "ftp://files.example/")
    response = client.post("/items/new", data={"title": "Sneaky", "url": "javascript:alert(1)"})
    shows_form_error(response, "URL must start with http:// or https://")
    response = client.post("/items/new", data={"title": "   ", "url": "https://kept.example/"})
    if response.status_code != 400 or "Title is required." not in expect(response).page_text():
        fail("a title made of spaces refused: status 400 and \"Title is required.\"", got=expect(response).summary(),
             sent=response.sent, note=standard_400(response) or
             "Strip the spaces around each value, request.form.get(\"title\", \"\").strip(): spaces are no title.")
    response = after(client.get("/api/items/4"), "after the refused forms")
    if response.status_code != 404:
        fail("no item saved by a form that was refused", got=expect(response).summary(), sent=response.sent,
             note="Check first, and call store.add only when item_error finds nothing wrong.")


@check(points=2, fresh_app=True, hints=[
    ("After saving with store.add(...), redirect to the new item's page: "
    "return redirect(url_for(\"item_detail\", item_id=item[\"id\"])). See lesson 4, \"Redirect after POST\"."),
    ("tags is optional: request.form.get(\"tags\", \"\") gives \"\" when the field is missing, while "
    "request.form[\"tags\"] answers 400 Bad Request."),
    ("Split the tags on commas and drop the empty ones: "
    "[tag.strip() for tag in tags.split(\",\") if tag.strip()]."),
])
def test_form_creates_item(client):
    """POST /items/new with a title and a URL saves the item and redirects to its page, /items/4"""
    response = client.post("/items/new", data={"title": "Werkzeug docs",
                                               "url": "https://werkzeug.palletsprojects.com/"})
    redirects_to_path(response, "/items/4")
    expect(after(client.get(location_path(response)), "the redirect's Location")).text_contains("Item 4: Werkzeug docs")
    expect(client.get("/api/items/4")).status(200).json_includes(
        title="Werkzeug docs", url="https://werkzeug.palletsprojects.com/", tags=[])
    response = client.post("/items/new", data={"title": "  Click docs ", "url": " https://click.palletsprojects.com/ ",
                                               "tags": "python, cli,"})
    redirects_to_path(response, "/items/5")
    expect(after(client.get("/api/items/5"), "after the form saved it")).status(200).json_includes(
        title="Click docs", url="https://click.palletsprojects.com/", tags=["python", "cli"])


@check(points=2, fresh_app=True, hints=[
    ("Add @app.post(\"/api/items\"), read the body with request.get_json(), save the item and return it with "
    "the status 201. See lesson 4, \"JSON bodies: request.get_json()\"."),
    ("Return a tuple (body, status, headers): return item, 201, {\"Location\": url_for(\"api_item\", "
    "item_id=item[\"id\"])}."),
    "tags is optional: data.get(\"tags\") or [] gives [] when it is missing.",
])
def test_api_create(client):
    """POST /api/items with a JSON item answers 201 Created, Location: /api/items/4 and the item with its id"""
    response = client.post("/api/items", json=WERKZEUG)
    expect(response).status(201).mimetype("application/json").json_includes(id=4, **WERKZEUG)
    expect(response).header("Location", endswith="/api/items/4")
    expect(after(client.get("/api/items/4"), "after the POST")).status(200).json_includes(id=4, **WERKZEUG)
    response = client.post("/api/items", json={"title": "Click docs", "url": "https://click.palletsprojects.com/"})
    expect(response).status(201).json_includes(id=5, title="Click docs", tags=[])
    expect(response).header("Location", endswith="/api/items/5")


@check(points=2, fresh_app=True, hints=[
    ("request.get_json() already answers 415 when the body is not JSON and 400 when it is malformed: do not "
    "catch that, and do not use force=True or silent=True. See lesson 4, \"JSON bodies: request.get_json()\"."),
    ("Then check the data yourself: if not isinstance(data, dict), or item_error(title, url) finds a problem, "
    "or tags is not a list, return {\"error\": message}, 400."),
])
def test_api_create_errors(client):
    """POST /api/items refuses a non-JSON body (415), malformed JSON (400) and a bad item (400 {"error": ...})"""
    expect(client.post("/api/items", json=WERKZEUG)).status(201)
    response = client.post("/api/items", data={"title": "A form", "url": "https://form.example/"})
    expect(response).status(415).mimetype("application/json")
    response = client.post("/api/items", data='{"title": "Broken", ', content_type="application/json")
    expect(response).status(400).mimetype("application/json")
    json_error(client.post("/api/items", json={"title": "No link"}), 400, "URL is required.")
    json_error(client.post("/api/items", json={"url": "https://no-title.example/"}), 400, "Title is required.")
    json_error(client.post("/api/items", json={"title": "Old files", "url": "ftp://files.example/"}), 400,
               "URL must start with http:// or https://")
    json_error(client.post("/api/items", json=["Not", "an", "object"]), 400)
    json_error(client.post("/api/items", json={"title": "Tagged", "url": "https://tagged.example/", "tags": "python"}),
               400)
    response = after(client.get("/api/items/5"), "after the refused requests")
    if response.status_code != 404:
        fail("no item saved by a request that was refused", got=expect(response).summary(), sent=response.sent)


@check(points=2, fresh_app=True, hints=[
    ("Add @app.post(\"/items/import\") and take the file from request.files.get(\"file\"). "
    "See lesson 4, \"File uploads: request.files\"."),
    ("Read it with upload.read().decode(\"utf-8\"), go through .splitlines(), and save each line that "
    "item_error(url, url) accepts; return {\"imported\": count}."),
    ("No file, or a file with an empty filename, is {\"error\": ...}, 400: request.files[\"file\"] would answer an "
    "HTML 400 page instead of JSON."),
])
def test_import_file(client):
    """POST /items/import with a file of URLs saves one item per http(s) line and answers {"imported": 2}"""
    urls = b"https://a.example/\n\nnot a link\r\nhttps://b.example/page\n"
    response = client.post("/items/import", data={"file": (urls, "urls.txt")})
    after(response, "the file holds https://a.example/, a blank line, \"not a link\" and https://b.example/page")
    expect(response).status(200).json_includes(imported=2)
    expect(client.get("/api/items/4")).status(200).json_includes(title="https://a.example/", url="https://a.example/")
    expect(client.get("/api/items/5")).status(200).json_includes(url="https://b.example/page")
    expect(client.get("/api/items/6")).status(404)
    json_error(after(client.post("/items/import", data={"note": "no file"}), "no file at all"), 400)
    json_error(after(client.post("/items/import", data={"file": (b"", "")}), "a form sent with no file chosen"), 400)


@check(points=1, hints=[
    ("Set app.config[\"MAX_CONTENT_LENGTH\"] = 64 * 1024 and register @app.errorhandler(RequestEntityTooLarge). "
    "See lesson 4, \"Limiting the size of a request\"."),
    ("The handler returns {\"error\": \"The request is too large: the limit is 64 KiB.\", \"status\": 413}, 413. "
    "Without it, your HTTPException handler sends Flask's HTML page for the 413."),
])
def test_upload_limit(app, client):
    """Request bodies are limited to 64 KiB: a 65 KiB upload is 413, with a JSON error that says the limit"""
    expect_equal(app.config("MAX_CONTENT_LENGTH"), 64 * 1024, 'app.config["MAX_CONTENT_LENGTH"]',
                 note="64 KiB is 64 * 1024 = 65536 bytes.")
    small = b"https://a.example/\n" + b"#" * 60_000 + b"\n"
    response = after(client.post("/items/import", data={"file": (small, "notes.txt")}), "a 60 KB file")
    expect(response).status(200).json_includes(imported=1)
    big = b"x" * (65 * 1024)
    response = after(client.post("/items/import", data={"file": (big, "big.txt")}), "a 65 KiB file")
    expect(response).status(413).json_includes(error="The request is too large: the limit is 64 KiB.", status=413)


@check(points=2, hints=[
    ("Add @app.get(\"/prefs/theme/<any(light, dark):theme>\"), build response = redirect(url_for(\"index\")), "
    "call response.set_cookie(...) on it, and return that response. See lesson 4, \"Cookies\"."),
    "response.set_cookie(\"theme\", theme, max_age=365 * 24 * 60 * 60, httponly=True, samesite=\"Lax\").",
    "The any(light, dark) converter is what makes /prefs/theme/blue a 404: <theme> alone accepts anything.",
])
def test_theme_cookie(client):
    """GET /prefs/theme/dark sets the cookie theme=dark (for a year, HttpOnly, SameSite=Lax) and redirects to /"""
    response = client.get("/prefs/theme/dark")
    redirects_to_path(response, "/")
    line = set_cookie_header(response, "theme")
    if line is None:
        shown = "; ".join(response.headers.getlist("Set-Cookie")) or "no Set-Cookie header at all"
        fail("a Set-Cookie header for the cookie theme", got=shown, sent=response.sent,
             note="Set the cookie on the response you return: a cookie set on another response object is lost.")
    cookie = client.get_cookie("theme")
    if cookie is None or cookie.value != "dark":
        fail("the browser to keep the cookie theme=dark", got=f"Set-Cookie: {line}", sent=response.sent)
    flags = cookie_attributes(line)
    if "httponly" not in flags:
        fail("the cookie to be HttpOnly (JavaScript cannot read it)", got=f"Set-Cookie: {line}", sent=response.sent,
             note="Pass httponly=True to set_cookie.")
    if flags.get("samesite", "").lower() != "lax":
        fail("the cookie to say SameSite=Lax", got=f"Set-Cookie: {line}", sent=response.sent,
             note="Pass samesite=\"Lax\" to set_cookie.")
    lifetime = None
    if flags.get("max-age", "").lstrip("-").isdigit():
        lifetime = int(flags["max-age"])
    elif "expires" in flags:
        expires = parsedate_to_datetime(flags["expires"])
        date = response.headers.get("Date")
        now = parsedate_to_datetime(date) if date else None
        if now is not None:
            lifetime = int((expires - now).total_seconds())
        else:
            lifetime = int((expires - datetime.now(UTC)).total_seconds())
    if lifetime is None or abs(lifetime - YEAR) > 2 * 24 * 60 * 60:
        fail(f"a cookie kept for one year (Max-Age={YEAR})", got=f"Set-Cookie: {line}", sent=response.sent,
             note="Without max_age (or expires) the cookie is forgotten when the browser closes. "
                  "Pass max_age=365 * 24 * 60 * 60 (seconds)." if lifetime is None else
                  f"That cookie lasts {lifetime} seconds. max_age counts seconds: a year is 365 * 24 * 60 * 60.")
    redirects_to_path(client.get("/prefs/theme/light"), "/")
    cookie = client.get_cookie("theme")
    expect_equal(cookie.value if cookie else None, "light", 'the cookie theme after GET /prefs/theme/light')
    response = client.get("/prefs/theme/blue")
    if response.status_code != 404:
        fail("status 404: blue is not a theme", got=expect(response).summary(), sent=response.sent,
             note="Write the rule with <any(light, dark):theme>: the any converter matches only the values listed, "
                  "and anything else is a 404 without a line of code.")


@check(points=1, hints=[
    ("A context processor gives every template theme, read from request.cookies.get(\"theme\"); base.html writes "
    "<body class=\"theme-{{ theme }}\">. See lesson 4, \"Cookies\"."),
    ("Read the cookie inside the context processor, on every request: \"dark\" if request.cookies.get(\"theme\") == "
    "\"dark\" else \"light\"."),
])
def test_theme_applied(app, client):
    """After GET /prefs/theme/dark every page has <body class="theme-dark">; other readers keep the light theme"""
    expect(client.get("/prefs/theme/dark")).status(302, 303)
    for path in ("/", "/items/", "/about"):
        has_theme(after(client.get(path), "after GET /prefs/theme/dark"), "dark")
    other = app.test_client()
    has_theme(after(other.get("/"), "from another browser, with no cookie"), "dark", present=False)
    expect(client.get("/prefs/theme/light")).status(302, 303)
    has_theme(after(client.get("/"), "after GET /prefs/theme/light"), "dark", present=False)


@check(points=3, hints=[
    ("Write class TagListConverter(BaseConverter) with to_python and to_url, register it with "
    "app.url_map.converters[\"tags\"] = TagListConverter, and route @app.get(\"/tags/<tags:names>\"). "
    "See lesson 4, \"Custom URL converters\"."),
    ("to_python(\"python+wsgi\") returns value.split(\"+\"); to_url joins the tags with \"+\", each quoted with "
    "BaseConverter.to_url(self, tag). Pass self: BaseConverter.to_url(tag) is a TypeError."),
    ("regex = r\"[^/+]+(?:\\+[^/+]+)+\" (two tags or more, so /tags/wsgi stays with the tag view) and weight = 50 "
    "(so /tags/python+wsgi is tried against your converter before <tag>)."),
])
def test_tags_converter(app, client):
    """GET /tags/python+wsgi lists the items with both tags, via a "tags" converter; url_for builds it back"""
    response = client.get("/tags/python+wsgi")
    routed = app.probe("match", "/tags/python+wsgi")
    if routed is None or routed[0] != "tags_all":
        note = (f"It went to the view {routed[0]} with {routed[1]}. " if routed else "") + \
            "With a rule @app.get(\"/tags/<tags:names>\") and the converter's weight = 50, Werkzeug tries it " \
            "before <tag>."
    elif routed[1] != {"names": ["python", "wsgi"]}:
        note = f"It reached tags_all with {routed[1]}: to_python must return value.split(\"+\")."
    else:
        note = None
    lists(response, ["PEP 3333"], note=note)
    lists(client.get("/tags/python+templates"), ["Jinja docs"])
    lists(client.get("/tags/wsgi+templates"), [])
    if routed != ["tags_all", {"names": ["python", "wsgi"]}]:
        fail('GET /tags/python+wsgi routed to the view tags_all with names=["python", "wsgi"]',
             got="no route" if routed is None else f"the view {routed[0]} with {routed[1]}",
             sent=response.sent)
    routed = app.probe("match", "/tags/wsgi")
    if routed != ["tag", {"tag": "wsgi"}]:
        fail('GET /tags/wsgi (one tag) still routed to the view tag, with tag="wsgi"',
             got="no route" if routed is None else f"the view {routed[0]} with {routed[1]}", sent="GET /tags/wsgi",
             note="The converter's regex must need a \"+\" (two tags or more), so a single tag is left to <tag>.")
    registered = app.probe("converter", "tags")
    if registered is None or not registered["is_base_converter"]:
        fail('a converter class registered as "tags": issubclass(app.url_map.converters["tags"], BaseConverter)',
             got="nothing registered under \"tags\"" if registered is None
             else f"app.url_map.converters[\"tags\"] is {registered['name']}", sent="reading app.url_map.converters")
    expect_equal(app.url_for("tags_all", names=["python", "wsgi"]), "/tags/python+wsgi",
                 'url_for("tags_all", names=["python", "wsgi"])')
    expect_equal(app.url_for("tags_all", names=["web dev", "python"]), "/tags/web%20dev+python",
                 'url_for("tags_all", names=["web dev", "python"])',
                 note="Quote each tag with BaseConverter.to_url(self, tag): a space in a URL is %20.")
