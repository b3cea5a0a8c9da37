"""Shelf: save links now, read them later."""

import json
import logging
import re
import uuid
from urllib.parse import urlsplit

from flask import Flask, abort, flash, g, make_response, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from shelf import store
from shelf.context import current_item_count, wants_json
from shelf.middleware import PoweredByMiddleware
from shelf.wsgi_raw import health_app


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
# Signs the session cookie. "dev" is for development only: lesson 7 reads the real key from the environment.
app.config["SECRET_KEY"] = "dev"
app.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # the session cookie is already HttpOnly by default
app.url_map.converters["tags"] = TagListConverter  # before any rule uses <tags:...>
app.extensions["shelf_store"] = store  # the app's store, found through current_app (see context.py)
# Outside debug mode, Flask's logger passes on warnings and errors only: INFO lets the request lines through.
app.logger.setLevel(logging.INFO)

# Middleware wraps app.wsgi_app, never app itself: `app` stays the Flask object (routes, test_client,
# config), and Flask.__call__ still runs the whole chain. The last wrapper added runs first:
#   ProxyFix → DispatcherMiddleware → PoweredByMiddleware → Flask
# ProxyFix is outermost so that everything inside sees the client's real address, scheme and host.
# The dispatcher sends /health to health_app before Flask (and PoweredBy) are involved at all.
app.wsgi_app = PoweredByMiddleware(app.wsgi_app)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/health": health_app})
# Behind exactly one proxy: trust one hop of X-Forwarded-For, -Proto and -Host, and no more.
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

PER_PAGE = 20
RECENT_MAX = 5
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


@app.template_filter("domain")
def domain(url):
    """The host part of a URL: "https://peps.python.org/pep-3333/" → "peps.python.org"."""
    return urlsplit(url).hostname or ""


@app.context_processor
def inject_globals():
    """Variables every template can use: the item count and the reader's theme."""
    theme = "dark" if request.cookies.get("theme") == "dark" else "light"
    return {"item_count": current_item_count(), "theme": theme}


@app.before_request
def set_request_id():
    """Give the request an id: the caller's X-Request-ID if it looks safe, else a new random one."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


@app.after_request
def add_request_id(response):
    """Echo the request id, so a client can quote it in a bug report, and log the request with it."""
    response.headers["X-Request-ID"] = g.request_id
    app.logger.info("%s %s %s %s", g.request_id, request.method, request.path, response.status_code)
    return response


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


def remember_viewed(item_id):
    """Put item_id first in session["recent"]: newest first, no repeats, at most RECENT_MAX ids."""
    recent = [item_id] + [seen for seen in session.get("recent", []) if seen != item_id]
    # Assigning a new list marks the session as modified; recent.append() alone would not be saved.
    session["recent"] = recent[:RECENT_MAX]


@app.get("/items/<int:item_id>")
def item_detail(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    remember_viewed(item_id)
    return render_template("items/detail.html", item=item)


@app.get("/recent")
def recent():
    """The ids of the items this visitor viewed last, newest first."""
    return session.get("recent", [])


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
    flash("Item saved.", "success")
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


@app.get("/whoami")
def whoami():
    """What Flask believes about the client: ProxyFix rewrites these from the X-Forwarded-* headers."""
    return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host": request.host}


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
    if request.path.startswith("/api/") or wants_json():
        response = error.get_response()
        response.data = json.dumps({"error": error.name, "status": error.code})
        response.content_type = "application/json"
        return response
    if error.code == 404:
        return render_template("404.html"), 404
    return error
