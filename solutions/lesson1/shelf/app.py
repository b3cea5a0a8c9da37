"""Shelf: save links now, read them later."""

from flask import Flask, abort, request
from markupsafe import escape

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
