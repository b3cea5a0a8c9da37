"""Shelf: save links now, read them later."""

# Lesson 5: state and context. Read lessons/lesson5/lesson.md first.
#
# Shelf starts remembering things between requests, and learns where Flask keeps "the current"
# app and request:
#   TODO 1  a secret key, and the session cookie's settings            (this file)
#   TODO 2  "recently viewed": a list in each visitor's session        (this file)
#   TODO 3  a flash message after the form saves an item               (this file, templates/base.html)
#   TODO 4  a request id, set before each request and sent back after  (this file)
#   TODO 5  helpers that find the app and the request by themselves    (shelf/context.py, this file)
#   TODO 6  JSON errors for every client that asks for JSON            (this file)
#   TODO 7  a log line for every request, with its id                  (this file)
# Run `grade lesson5` from the project's root folder to check your work.

import json
from urllib.parse import urlsplit

# TODO 2, 3, 4: you will need flash, g and session from flask: add them to the import below.
#   TODO 4 also needs two modules of the standard library: import re and import uuid, above.
#   TODO 7 needs a third one: import logging.
from flask import Flask, abort, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import BaseConverter

# TODO 5: once shelf/context.py is written, import its helpers after the store import below:
#   from shelf.context import current_item_count, wants_json
from shelf import store


class TagListConverter(BaseConverter):
    """``python+wsgi`` in a URL ⇄ ``["python", "wsgi"]`` in the view."""

    # At least two tags joined by "+": a single tag (/tags/wsgi) stays with the "tag" view.
    regex = r"[^/+]+(?:\+[^/+]+)+"
    # /tags/python+wsgi also fits <tag> (weight 100); a lower weight makes Werkzeug try this rule first.
    weight = 50

    def to_python(self, value):
        return value.split("+")

    def to_url(self, value):
        # Quote each tag as the default converter would, then join them with "+".
        return "+".join(BaseConverter.to_url(self, tag) for tag in value)


app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # bigger request bodies get 413 Content Too Large
# TODO 1: give the app a secret key, which Flask uses to sign the session cookie:
#       app.config["SECRET_KEY"] = "dev"
#   "dev" is fine on your computer only: anyone who knows the key can forge a session (lesson 7 reads
#   a real key from the environment). Without a key, using the session raises RuntimeError.
#   Then make the browser leave the session cookie off requests other sites start:
#       app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
#   (the session cookie is already HttpOnly, so scripts in the page cannot read it).
app.url_map.converters["tags"] = TagListConverter  # before any rule uses <tags:...>
# TODO 5: keep the store where any code can find it through the app: app.extensions["shelf_store"] = store

PER_PAGE = 20
# TODO 2: RECENT_MAX = 5, the length of the "recently viewed" list.
# TODO 4: REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}"), what an incoming request id may look like.


@app.template_filter("domain")
def domain(url):
    """The host part of a URL: "https://peps.python.org/pep-3333/" → "peps.python.org"."""
    return urlsplit(url).hostname or ""


@app.context_processor
def inject_globals():
    """Variables every template can use: the item count and the reader's theme."""
    theme = "dark" if request.cookies.get("theme") == "dark" else "light"
    # TODO 5: count with your helper instead: "item_count": current_item_count()
    return {"item_count": len(store.all_items()), "theme": theme}


# TODO 4 (request hooks): give every request an id, and send it back in an X-Request-ID header.
#   a) @app.before_request on a function set_request_id(), which runs before every view:
#        read incoming = request.headers.get("X-Request-ID", ""). Keep it if
#        REQUEST_ID.fullmatch(incoming) (fullmatch: the whole value, not just its start), else
#        make a new one with uuid.uuid4().hex (32 hex digits). Store it in g.request_id.
#   b) @app.after_request on a function add_request_id(response), which runs after every request,
#        404s included: set response.headers["X-Request-ID"] = g.request_id, then return response
#        (an after_request function that forgets to return it breaks every page).
#
# TODO 7 (logging): in add_request_id, before returning, log one line for the request with app.logger:
#   its id, method, path and status, such as "3f9c... GET /items/2 200" (app.logger.info with %s
#   placeholders). Flask's logger drops INFO lines unless debug is on: call app.logger.setLevel(logging.INFO)
#   once, near the other settings.


def item_error(title, url):
    """What is wrong with a new item's title and URL, or None if they are fine."""
    if not title:
        return "Title is required."
    if not url:
        return "URL is required."
    if not url.startswith(("http://", "https://")):
        return "URL must start with http:// or https://"
    return None


@app.get("/")
def index():
    return render_template("index.html")


@app.route("/items/", methods=["GET", "POST"])
def item_list():
    """The items, filtered by ?q= (title) and ?tag= (repeatable), one page at a time."""
    if request.method == "POST":
        return "Created"
    q = request.args.get("q", "")
    tags = request.args.getlist("tag")
    # type=int: a value that is not a number (?page=abc) gives the default instead of an error.
    page = request.args.get("page", 1, type=int)
    per_page = min(max(request.args.get("per_page", PER_PAGE, type=int), 1), 100)

    items = store.search(q, tags)
    pages = max(1, (len(items) + per_page - 1) // per_page)
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return render_template("items/list.html", items=items[start:start + per_page], heading="Your shelf",
                           q=q, tags=tags, page=page, pages=pages, per_page=per_page)


# TODO 2 ("recently viewed"): write remember_viewed(item_id) here. It puts item_id first in
#   session["recent"], newest first, with no repeats and at most RECENT_MAX ids:
#       [item_id] + the old ids (session.get("recent", [])) without item_id, cut to RECENT_MAX.
#   ASSIGN the new list: session["recent"] = new_list. Changing the stored list in place
#   (session["recent"].append(...)) is not noticed by Flask, so it is never saved.


@app.get("/items/<int:item_id>")
def item_detail(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    # TODO 2: call remember_viewed(item_id) here: after the 404 check, so a missing item is never added.
    return render_template("items/detail.html", item=item)


# TODO 2: add GET /recent (function recent) that returns session.get("recent", []). Flask sends a
#   list as JSON; a visitor who has viewed nothing gets [].


@app.route("/items/new", methods=["GET", "POST"])
def item_create():
    """The "add an item" form: show it (GET), then check it and save the item (POST)."""
    if request.method == "GET":
        return render_template("items/new.html")
    # .get() with a default: a missing field is "" (request.form["tags"] would be a 400).
    title = request.form.get("title", "").strip()
    url = request.form.get("url", "").strip()
    tags = [tag.strip() for tag in request.form.get("tags", "").split(",") if tag.strip()]
    error = item_error(title, url)
    if error:
        return render_template("items/new.html", error=error), 400
    item = store.add(title, url, tags)
    # TODO 3: the item is saved: flash("Item saved.", "success") before redirecting, then show the
    #   flashed messages in templates/base.html (see the TODO there).
    return redirect(url_for("item_detail", item_id=item["id"]))


@app.post("/items/import")
def item_import():
    """Save every http(s) URL of an uploaded text file, one URL per line."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return {"error": "Send a text file in the form field 'file'."}, 400
    # The file is read, never saved, so its filename (which the client chose) is not used.
    lines = upload.read().decode("utf-8", errors="replace").splitlines()
    imported = 0
    for line in lines:
        url = line.strip()
        if item_error(url, url) is None:
            store.add(url, url)
            imported += 1
    return {"imported": imported}


@app.get("/tags/<tag>")
def tag(tag):
    return render_template("items/list.html", items=store.with_tag(tag), heading=f"Tagged {tag}")


@app.get("/tags/<tags:names>")
def tags_all(names):
    """The items that carry every tag in the URL: /tags/python+wsgi."""
    return render_template("items/list.html", items=store.with_tags(names),
                           heading="Tagged " + " and ".join(names))


@app.get("/prefs/theme/<any(light, dark):theme>")
def set_theme(theme):
    """Remember the reader's colour theme in a cookie, then go back to the home page."""
    response = redirect(url_for("index"))
    response.set_cookie("theme", theme, max_age=365 * 24 * 60 * 60, httponly=True, samesite="Lax")
    return response


@app.get("/about")
def about():
    return render_template("about.html")


@app.get("/api/items/<int:item_id>")
def api_item(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return item


@app.post("/api/items")
def api_create():
    """Save an item sent as JSON: {"title": ..., "url": ..., "tags": [...]}."""
    data = request.get_json()  # not JSON → 415, malformed JSON → 400
    if not isinstance(data, dict):
        return {"error": "Send a JSON object."}, 400
    title = str(data.get("title") or "").strip()
    url = str(data.get("url") or "").strip()
    tags = data.get("tags") or []
    error = item_error(title, url)
    if error is None and not isinstance(tags, list):
        error = "Tags must be a list of strings."
    if error:
        return {"error": error}, 400
    item = store.add(title, url, [str(tag) for tag in tags])
    return item, 201, {"Location": url_for("api_item", item_id=item["id"])}


@app.get("/go/<int:item_id>")
def go(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return redirect(item["url"])


@app.get("/home")
def home():
    return redirect(url_for("index"))


@app.get("/robots.txt")
def robots():
    response = make_response("User-agent: *\nDisallow: /api/\n")
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@app.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Uploads over MAX_CONTENT_LENGTH: say what the limit is, in JSON like the upload's answer."""
    limit = app.config["MAX_CONTENT_LENGTH"] // 1024
    return {"error": f"The request is too large: the limit is {limit} KiB.", "status": 413}, 413


@app.errorhandler(HTTPException)
def handle_http_error(error):
    # TODO 6: answer JSON also when the client asks for it, wherever the error happened:
    #       if request.path.startswith("/api/") or wants_json():
    if request.path.startswith("/api/"):
        response = error.get_response()
        response.data = json.dumps({"error": error.name, "status": error.code})
        response.content_type = "application/json"
        return response
    if error.code == 404:
        return render_template("404.html"), 404
    return error
