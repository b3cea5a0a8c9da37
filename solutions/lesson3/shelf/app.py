"""Shelf: save links now, read them later."""

import json
from urllib.parse import urlsplit

from flask import Flask, abort, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from shelf import store

app = Flask(__name__)


@app.template_filter("domain")
def domain(url):
    """The host part of a URL: "https://peps.python.org/pep-3333/" → "peps.python.org"."""
    return urlsplit(url).hostname or ""


@app.context_processor
def inject_item_count():
    return {"item_count": len(store.all_items())}


@app.get("/")
def index():
    return render_template("index.html")


@app.route("/items/", methods=["GET", "POST"])
def item_list():
    if request.method == "POST":
        return "Created"
    return render_template("items/list.html", items=store.all_items(), heading="Your shelf")


@app.get("/items/<int:item_id>")
def item_detail(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return render_template("items/detail.html", item=item)


@app.get("/tags/<tag>")
def tag(tag):
    return render_template("items/list.html", items=store.with_tag(tag), heading=f"Tagged {tag}")


@app.get("/about")
def about():
    return render_template("about.html")


@app.get("/api/items/<int:item_id>")
def api_item(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return item


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


@app.errorhandler(HTTPException)
def handle_http_error(error):
    if request.path.startswith("/api/"):
        response = error.get_response()
        response.data = json.dumps({"error": error.name, "status": error.code})
        response.content_type = "application/json"
        return response
    if error.code == 404:
        return render_template("404.html"), 404
    return error
