"""Shelf: save links now, read them later."""

# Lesson 3: templates, inheritance and static files. Read lessons/lesson3/lesson.md first.
#
# Every HTML page moves out of Python strings into Jinja templates:
#   shelf/templates/   the templates (base.html is started for you)   -> TODO 1, 2, 3
#   shelf/static/      files served as they are, here style.css       -> TODO 4
#   in this file       a template filter and a context processor      -> TODO 5, 6
# Two rules hold everywhere, and are checked too:
#   - build every link with url_for, also in templates: never write "/items/" or "/static/..." by hand
#     (the checks mount your app under /shelf, and hard-coded links then point to the wrong place);
#   - keep the .html extension on templates and never use |safe on data, so Jinja escapes it.
# Run `grade lesson3` from the project's root folder to check your work.

import json

# TODO 1: add render_template to the flask import below (or import it on a line of its own).
from flask import Flask, abort, make_response, redirect, request, url_for
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from shelf import store

app = Flask(__name__)

# TODO 4 (a static file): create shelf/static/style.css with a few CSS rules (lesson 3 has some to
#   copy). Flask serves it at /static/style.css by itself: no route to write. base.html links to it.
#
# TODO 5 (a custom filter): register a template filter named "domain" that turns a URL into its host
#   name, so that templates can write {{ item.url|domain }}:
#       "https://peps.python.org/pep-3333/"  ->  "peps.python.org"
#   Decorate a function with @app.template_filter("domain"); urllib.parse.urlsplit(url).hostname
#   does the work. Then, in templates/items/list.html, show it after each title, in brackets:
#       <span class="domain">({{ item.url|domain }})</span>
#
# TODO 6 (a context processor): make item_count, the number of saved items, available to every
#   template. Decorate a function with @app.context_processor that returns
#   {"item_count": len(store.all_items())}: count inside the function, so the number is right on every
#   request. Then give base.html a footer: <footer>{{ item_count }} items saved</footer>


@app.get("/")
def index():
    # TODO 1: finish templates/base.html (the layout), then create templates/index.html:
    #   it starts with {% extends "base.html" %}, fills the block title with Home (so the browser tab
    #   reads "Home · Shelf") and the block content with this page's <h1> and <p>.
    #   Then replace the line below with: return render_template("index.html")
    return "<h1>Welcome to Shelf</h1><p>Save links now, read them later.</p>"


@app.route("/items/", methods=["GET", "POST"])
def item_list():
    if request.method == "POST":
        return "Created"
    # TODO 3: create templates/items/list.html (it extends base.html) and render it here instead:
    #       return render_template("items/list.html", items=store.all_items(), heading="Your shelf")
    #   The template shows the heading as the title and as an <h1>, then a <ul> with one
    #   <li class="item"> per item: the title, linked to the item's page with
    #   url_for('item_detail', item_id=item.id), then the domain (TODO 5).
    #   When there are no items, the list says "No items yet." (a {% for %} loop can have an {% else %}).
    rows = "".join(f"<li>{escape(item['title'])}</li>" for item in store.all_items())
    return f"<h1>Your shelf</h1><ul>{rows}</ul>"


@app.get("/items/<int:item_id>")
def item_detail(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    # TODO 2: create templates/items/detail.html (it extends base.html) and render it here instead:
    #       return render_template("items/detail.html", item=item)
    #   Its title block is the item's title ("PEP 3333 · Shelf"), and the page keeps the heading
    #   "Item 2: PEP 3333". A link to the item (url_for('go', item_id=item.id)) is a nice extra.
    return f"<h1>Item {item_id}: {escape(item['title'])}</h1>"


@app.get("/tags/<tag>")
def tag(tag):
    # TODO 3: reuse templates/items/list.html here, with only this tag's items:
    #       return render_template("items/list.html", items=store.with_tag(tag), heading=f"Tagged {tag}")
    #   (no escape() needed any more: Jinja escapes the heading and the titles for you).
    rows = "".join(f"<li>{escape(item['title'])}</li>" for item in store.with_tag(tag))
    return f"<h1>Tagged {escape(tag)}</h1><ul>{rows}</ul>"


@app.get("/about")
def about():
    # TODO 2: create templates/about.html (it extends base.html, title block About) and render it here.
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
        # TODO 2: create templates/404.html (it extends base.html and keeps this heading, with a link to
        #   the list built with url_for) and render it here, keeping the status:
        #       return render_template("404.html"), 404
        return "<h1>Shelf couldn't find that page</h1><p>Try the <a href=\"/items/\">list of items</a>.</p>", 404
    return error
