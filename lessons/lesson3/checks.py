"""Lesson 3 checks: templates, inheritance, autoescaping, static files, filters, context processors."""

import re

from grader import check, expect, expect_equal, fail

TITLES = ("Flask docs", "PEP 3333", "Jinja docs")
XSS = "<script>alert(1)</script>"
MOUNTED = "http://localhost/shelf/"


def after(response, what):
    """Say in the failure report what a probe did before this request."""
    response.sent = f"{response.sent} ({what})"
    return response


def links_to(response, *urls):
    """The page has an href to each of ``urls``, however it is quoted; a failure lists the links it does have."""
    found = [element.get("href") for element in expect(response).select("[href]")]
    for url in urls:
        if url not in found:
            fail(f'a link to {url}: href="{url}"', sent=response.sent,
                 got=f"{response.status} · links in the page: " + (", ".join(found) if found else "none"))
    return response


def rendered_from(response, template):
    """The page must come from ``template`` (recorded by Flask's template_rendered signal)."""
    if template not in response.templates:
        shown = ", ".join(response.templates) or "none: the view returned its HTML as a Python string"
        fail(f"the page to be rendered from the template {template}", got=f"templates rendered: {shown}",
             sent=response.sent, note=f"Call render_template(\"{template}\", ...) in the view; the file goes in "
                                      f"shelf/templates/{template}.")
    return response


# "<page title> · Shelf": the lesson writes a middle dot, and any short separator (" - ", " | ", " — ") is as good.
TITLE = re.compile(r"(?P<page>.*?\w.*?)\s*[^\w\s]{0,3}\s*Shelf")


def title_is(response, page_title=None):
    """The page's <title> is ``page_title`` (any title, when None), a short separator, then Shelf."""
    titles = expect(response).select("title")
    text = titles[0].text if titles else None
    match = TITLE.fullmatch(text or "")
    if match is None or (page_title is not None and match["page"] != page_title):
        shown = f"{page_title} · Shelf" if page_title else "<the page's title> · Shelf"
        fail(f"a <title> that reads {shown!r}: the page's own title (the block title), then the layout's "
             "\" · Shelf\" (another short separator, such as \" - \", is fine too)",
             got="no <title>" if text is None else f"<title>{text}</title>", sent=response.sent,
             note="An empty title block leaves only \"· Shelf\": check that the child fills {% block title %}, "
                  "spelled as in base.html." if match is None and text and text.lstrip(" ·-|").startswith("Shelf")
             else None)


def extends_base(app, template):
    parent = app.probe("extended_template", template)
    if parent != "base.html":
        fail(f'{template} to start with {{% extends "base.html" %}}',
             got=f"{template} extends {parent!r}" if parent else f"{template} extends no template",
             sent=f"reading the source of shelf/templates/{template}",
             note="Without extends, a page copies the layout instead of inheriting it: the next change to "
                  "base.html would miss it.")


@check(points=2, hints=[
    ("Put the page skeleton in shelf/templates/base.html, with <title>{% block title %}{% endblock %} · Shelf</title>; "
    "index.html starts with {% extends \"base.html\" %} and fills the title block with Home. "
    "See lesson 3, \"Template inheritance\"."),
    ("In index(), return render_template(\"index.html\"). The templates/ folder belongs inside the shelf/ package, "
    "next to app.py; see lesson 3, \"Templates and render_template\"."),
    ("The block names must match exactly: {% block title %} in base.html and {% block title %}Home{% endblock %} in "
    "index.html. base.html also holds the nav (<a href=\"{{ url_for('item_list') }}\">Items</a>) and "
    "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='style.css') }}\">."),
])
def test_base_template(app, client):
    """GET / renders index.html, which extends base.html: <title>Home · Shelf</title>, a nav, the stylesheet"""
    response = client.get("/")
    expect(response).status(200).mimetype("text/html")
    rendered_from(response, "index.html")
    title_is(response, "Home")
    links_to(response, "/static/style.css", "/items/")
    extends_base(app, "index.html")


@check(points=1, hints=[
    ("Give every page its own template that extends base.html and fills its blocks. "
    "See lesson 3, \"Template inheritance\"."),
    ("The names are items/list.html (for /items/), items/detail.html (for /items/<id>), about.html and 404.html "
    "(render it in the error handler and keep the status: return render_template(\"404.html\"), 404)."),
    ("The titles: {% block title %}About{% endblock %} on the about page, and {% block title %}{{ item.title }}"
    "{% endblock %} on an item's page."),
])
def test_every_page_uses_the_layout(app, client):
    """/items/, /items/2, /about and the 404 page each render their own template, which extends base.html"""
    pages = [
        ("/items/", 200, "items/list.html", None),
        ("/items/2", 200, "items/detail.html", "PEP 3333"),
        ("/about", 200, "about.html", "About"),
        ("/no-such-page", 404, "404.html", None),
    ]
    for path, status, template, title in pages:
        response = client.get(path)
        expect(response).status(status)
        rendered_from(response, template)
        title_is(response, title)
        links_to(response, "/about")
        extends_base(app, template)


@check(points=2, fresh_app=True, hints=[
    ("In items/list.html, loop with {% for item in items %} and write one <li class=\"item\"> per item. "
    "See lesson 3, \"Jinja syntax\"."),
    ("Pass the items in: render_template(\"items/list.html\", items=store.all_items(), heading=\"Your shelf\"), "
    "and let /tags/<tag> reuse the same template with items=store.with_tag(tag)."),
    "Give the class item (class=\"item\") to the <li> of each item, and only to those: not to the empty message.",
])
def test_item_list_template(client):
    """GET /items/ renders items/list.html with one <li class="item"> per item, and /tags/wsgi reuses it"""
    response = client.get("/items/")
    expect(response).status(200)
    rendered_from(response, "items/list.html")
    expect(response).element("li.item", count=3).text_contains(*TITLES).lacks("No items yet.")
    response = client.get("/tags/wsgi")
    expect(response).status(200)
    rendered_from(response, "items/list.html")
    expect(response).element("li.item", count=1).text_contains("PEP 3333")


@check(points=1, hints=[
    ("A for loop in Jinja can have an {% else %} part: it runs when there is nothing to loop over. "
    "See lesson 3, \"Jinja syntax\"."),
    ("Inside the <ul>, after the item: {% else %}<li>No items yet.</li>{% endfor %}. "
    "Show the message only when the list is empty."),
])
def test_empty_list(app, client):
    """With no items saved, GET /items/ says "No items yet.\""""
    app.probe("empty_store")
    response = after(client.get("/items/"), "after emptying the store")
    expect(response).status(200).text_contains("No items yet.").element("li.item", count=0)


@check(points=2, hints=[
    ("Jinja escapes {{ ... }} only in templates whose names end in .html (or .htm, .xml, .xhtml, .svg), "
    "and |safe switches that off. See lesson 3, \"Autoescaping\"."),
    "Write {{ item.title }}, never {{ item.title|safe }}, and keep the .html extension on every template.",
])
def test_autoescape(app, client):
    """An item titled <script>alert(1)</script> is shown escaped (&lt;script&gt;) on /items/ and on its own page"""
    item_id = app.probe("add_item", XSS, "https://evil.example/", ["xss"])
    for path, template in (("/items/", "items/list.html"), (f"/items/{item_id}", "items/detail.html")):
        response = after(client.get(path), f"after saving item {item_id}, titled {XSS}")
        expect(response).status(200).lacks("<script>alert(1)").text_contains(XSS)
        rendered_from(response, template)


@check(points=1, hints=[
    ("Flask serves every file in the static/ folder next to your app at /static/<filename>. "
    "See lesson 3, \"Static files\"."),
    "Create shelf/static/style.css (inside the shelf/ package, beside templates/) with a few CSS rules.",
])
def test_static_stylesheet(client):
    """GET /static/style.css serves your stylesheet (200, text/css)"""
    response = client.get("/static/style.css")
    expect(response).status(200).mimetype("text/css")
    if not response.data.strip():
        fail("a stylesheet with some CSS in it", got="an empty file", sent=response.sent)


@check(points=2, fresh_app=True, hints=[
    ("Register a function with @app.template_filter(\"domain\"); templates then write {{ item.url|domain }}. "
    "See lesson 3, \"Custom filters\"."),
    "urllib.parse.urlsplit(url).hostname is the host name: \"peps.python.org\" for \"https://peps.python.org/x?y\".",
    "In items/list.html, after each title: <span class=\"domain\">({{ item.url|domain }})</span>.",
])
def test_domain_filter(app, client):
    """The domain filter turns "https://peps.python.org/x?y" into "peps.python.org"; /items/ shows it in brackets"""
    expect_equal(app.jinja_filter("domain", "https://peps.python.org/x?y"), "peps.python.org",
                 'domain("https://peps.python.org/x?y")')
    expect_equal(app.jinja_filter("domain", "https://flask.palletsprojects.com/"), "flask.palletsprojects.com",
                 'domain("https://flask.palletsprojects.com/")')
    response = client.get("/items/")
    expect(response).status(200).text_contains("(peps.python.org)", "(flask.palletsprojects.com)")


@check(points=1, fresh_app=True, hints=[
    ("A function decorated with @app.context_processor returns a dict whose keys every template can use. "
    "See lesson 3, \"Context processors\"."),
    ("Return {\"item_count\": len(store.all_items())}, and in base.html write <footer>{{ item_count }} items "
    "saved</footer>."),
    ("Count the items inside the function, each time it runs: a number computed once at import time stays 3 "
    "forever."),
])
def test_item_count_in_footer(app, client):
    """Every page's footer counts the saved items: "3 items saved", then "4 items saved" after one more"""
    for path in ("/", "/items/", "/about"):
        response = client.get(path)
        expect(response).status(200).text_contains("3 items saved")
    app.probe("add_item", "Werkzeug docs", "https://werkzeug.palletsprojects.com/", ["python", "wsgi"])
    response = after(client.get("/about"), "after saving a fourth item")
    expect(response).status(200).text_contains("4 items saved")


@check(points=2, hints=[
    ("Build every link with url_for: url_for('static', filename='style.css'), url_for('item_list'), "
    "url_for('item_detail', item_id=item.id). See lesson 3, \"url_for in templates\"."),
    ("A hard-coded href=\"/static/style.css\" or href=\"/items/\" breaks as soon as the app is mounted under a "
    "prefix such as /shelf; url_for adds the prefix (SCRIPT_NAME) for you."),
])
def test_links_follow_the_mount_point(client):
    """Mounted under /shelf, the pages link to /shelf/static/style.css, /shelf/items/ and /shelf/items/2"""
    response = client.get("/", base_url=MOUNTED)
    response.sent = "GET /shelf/ (the app mounted under /shelf, so SCRIPT_NAME=/shelf and PATH_INFO=/)"
    expect(response).status(200)
    links_to(response, "/shelf/static/style.css", "/shelf/items/")
    response = client.get("/items/", base_url=MOUNTED)
    response.sent = "GET /shelf/items/ (the app mounted under /shelf, so SCRIPT_NAME=/shelf and PATH_INFO=/items/)"
    expect(response).status(200)
    links_to(response, "/shelf/items/2")
