"""Shelf: save links now, read them later."""

import json

from flask import Flask, abort, make_response, redirect, request, url_for
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from shelf import store

app = Flask(__name__)


@app.get("/")
def index():
    return "<h1>Welcome to Shelf</h1><p>Save links now, read them later.</p>"


@app.route("/items/", methods=["GET", "POST"])
def item_list():
    if request.method == "POST":
        return "Created"
    rows = "".join(f"<li>{escape(item['title'])}</li>" for item in store.all_items())
    return f"<h1>Your shelf</h1><ul>{rows}</ul>"


@app.get("/items/<int:item_id>")
def item_detail(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return f"<h1>Item {item_id}: {escape(item['title'])}</h1>"


@app.get("/tags/<tag>")
def tag(tag):
    rows = "".join(f"<li>{escape(item['title'])}</li>" for item in store.with_tag(tag))
    return f"<h1>Tagged {escape(tag)}</h1><ul>{rows}</ul>"


@app.get("/about")
def about():
    return "<h1>About Shelf</h1><p>A small Flask app, built one lesson at a time.</p>"


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
        return "<h1>Shelf couldn't find that page</h1><p>Try the <a href=\"/items/\">list of items</a>.</p>", 404
    return error
