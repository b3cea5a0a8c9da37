"""Shelf: save links now, read them later."""

# Lesson 4: request data. Read lessons/lesson4/lesson.md first.
#
# Shelf starts taking data from its readers, through every door a request has:
#   the query string   GET /items/?q=pep&page=2    request.args                  -> TODO 1, 2
#   an HTML form       POST /items/new             request.form                  -> TODO 3
#   a JSON body        POST /api/items             request.get_json()            -> TODO 4
#   an uploaded file   POST /items/import          request.files                 -> TODO 5, 6
#   a cookie           GET /prefs/theme/dark       set_cookie, request.cookies   -> TODO 7
#   the URL itself     GET /tags/python+wsgi       a custom converter            -> TODO 8
# store.py has two new functions, ready to use: store.search(q, tags) and store.with_tags(tags).
# Templates to finish: items/list.html (TODO 1, 2), items/new.html (TODO 3), base.html (TODO 3, 7).
# One rule for all of it: whatever a request carries may be missing or wrong. Answer a default or a
# clear 400, never a crash (a 500).
# Run `grade lesson4` from the project's root folder to check your work.

import json
from urllib.parse import urlsplit

from flask import Flask, abort, make_response, redirect, render_template, request, url_for
# TODO 6: import RequestEntityTooLarge as well as HTTPException, for the 413 error handler.
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from shelf import store


# TODO 8 (a custom converter): finish this class, then register it below, after app = Flask(...).
#   With it, /tags/python+wsgi reaches a view with names == ["python", "wsgi"], and
#   url_for("tags_all", names=["python", "wsgi"]) builds "/tags/python+wsgi".
class TagListConverter(BaseConverter):
    """``python+wsgi`` in a URL ⇄ ``["python", "wsgi"]`` in the view."""

    # TODO 8a: two class attributes.
    #   regex = r"[^/+]+(?:\+[^/+]+)+"   two tags or more, joined by "+": a single tag (/tags/wsgi) is
    #                                    left to the tag() view.
    #   weight = 50                      /tags/python+wsgi also fits the rule "/tags/<tag>"; a weight
    #                                    below the default 100 makes Werkzeug try this converter first.

    def to_python(self, value):
        # TODO 8b: the URL's text to the view's argument: "python+wsgi" -> ["python", "wsgi"].
        raise NotImplementedError

    def to_url(self, value):
        # TODO 8c: the other way, for url_for: ["python", "wsgi"] -> "python+wsgi". Quote each tag as the
        #   default converter would, BaseConverter.to_url(self, tag) (pass self: the method is called on
        #   the class), and join the results with "+".
        raise NotImplementedError


app = Flask(__name__)
# TODO 6 (a size limit): refuse request bodies over 64 KiB, with
#       app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
#   Reading a bigger body (request.files, request.form) then raises a 413 error.
# TODO 8d: register the converter under the name "tags", before any route uses <tags:...>:
#       app.url_map.converters["tags"] = TagListConverter


@app.template_filter("domain")
def domain(url):
    """The host part of a URL: "https://peps.python.org/pep-3333/" → "peps.python.org"."""
    return urlsplit(url).hostname or ""


@app.context_processor
def inject_item_count():
    # TODO 7b: also give every template "theme": "dark" when request.cookies.get("theme") == "dark",
    #   and "light" otherwise (a cookie holds whatever the browser sends, so allow only these two).
    #   base.html then writes <body class="theme-{{ theme }}">.
    return {"item_count": len(store.all_items())}


# TODO 3a: finish this helper; the form (TODO 3), the JSON API (TODO 4) and the import (TODO 5) share it.
def item_error(title, url):
    """What is wrong with a new item's title and URL, or None if they are fine."""
    # Return the first problem, with exactly these messages:
    #   no title                                  -> "Title is required."
    #   no url                                    -> "URL is required."
    #   a url not starting http:// or https://   -> "URL must start with http:// or https://"
    #   (url.startswith(("http://", "https://")) takes a tuple.)
    return None


@app.get("/")
def index():
    return render_template("index.html")


@app.route("/items/", methods=["GET", "POST"])
def item_list():
    if request.method == "POST":
        return "Created"
    # TODO 1 (search and filter): read the query string with request.args.
    #       q = request.args.get("q", "")         text to look for in the titles, ?q=pep
    #       tags = request.args.getlist("tag")    every ?tag=, as a list: ?tag=python&tag=wsgi
    #   and show store.search(q, tags) instead of store.all_items(). Pass q and tags to the template
    #   too: items/list.html gets a search form (its TODO 1) that keeps the text searched for.
    # TODO 2 (pages): show 20 items per page.
    #       page = request.args.get("page", 1, type=int)          ?page=abc gives 1, not a crash
    #       per_page = request.args.get("per_page", 20, type=int)
    #   Keep per_page between 1 and 100, count the pages (at least 1, even with no items: 3 items at
    #   2 per page make 2 pages), and keep page between 1 and that count (?page=99 shows the last page,
    #   ?page=0 the first). Render only that page's slice of the items, and pass page, pages and
    #   per_page to the template, which says "Page 1 of 2" with Previous/Next links (its TODO 2).
    return render_template("items/list.html", items=store.all_items(), heading="Your shelf")


@app.get("/items/<int:item_id>")
def item_detail(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return render_template("items/detail.html", item=item)


# TODO 3 (a form): a view item_create for GET and POST on /items/new:
#       @app.route("/items/new", methods=["GET", "POST"])
#   GET renders items/new.html (it is started for you). POST reads the fields with request.form.get(...):
#   title, url, and tags, which is optional and comma-separated ("python, web" -> ["python", "web"]).
#   Strip the spaces around each value. If item_error(title, url) finds a problem, render items/new.html
#   again with error=... and the status 400. Otherwise save the item with store.add(title, url, tags)
#   and redirect to its page: redirect(url_for("item_detail", item_id=item["id"])).
#   Finally, give base.html's nav an "Add" link to url_for('item_create').
#
# TODO 5 (an upload): a view item_import for POST /items/import (@app.post). The file comes in the form
#   field "file": request.files.get("file"). When there is none, or its filename is empty (a form sent
#   with no file chosen), answer {"error": "..."} (your own message) with the status 400. Otherwise
#   read it, decode it from UTF-8 (upload.read().decode("utf-8", errors="replace")), and save one item
#   per line that is a valid http(s) URL (item_error(url, url) is None), the URL being its title too.
#   Strip each line, and skip the others (blank lines, notes). Answer {"imported": N}, the number of
#   items saved. Never save the file itself.


@app.get("/tags/<tag>")
def tag(tag):
    return render_template("items/list.html", items=store.with_tag(tag), heading=f"Tagged {tag}")


# TODO 8e: a view tags_all for GET /tags/<tags:names>: the items that carry every tag in names,
#   store.with_tags(names), rendered with items/list.html and the heading "Tagged python and wsgi"
#   (" and ".join(names)).
#
# TODO 7 (a cookie): a view set_theme for GET /prefs/theme/<any(light, dark):theme>. The any()
#   converter accepts only the values listed, so /prefs/theme/blue is a 404. Build the redirect to the
#   home page first (response = redirect(url_for("index"))), set the cookie on that response, and return
#   it:  response.set_cookie("theme", theme, max_age=..., httponly=True, samesite="Lax")
#   with max_age one year, in seconds. Then do TODO 7b and the <body> of base.html.


@app.get("/about")
def about():
    return render_template("about.html")


@app.get("/api/items/<int:item_id>")
def api_item(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return item


# TODO 4 (JSON): a view api_create for POST /api/items (@app.post). The body is JSON such as
#       {"title": "Werkzeug docs", "url": "https://werkzeug.palletsprojects.com/", "tags": ["python"]}
#   Read it with request.get_json(): it answers 415 by itself when the body is not JSON, and 400 when
#   the JSON is malformed (your /api/ error handler turns both into JSON). Then check it yourself:
#   anything but a JSON object (a dict), a problem found by item_error, or "tags" that is not a list,
#   is a 400 with {"error": "<what is wrong>"}. tags is optional. Save the item and answer it with the
#   status 201 Created and a Location header that says where it now lives:
#       return item, 201, {"Location": url_for("api_item", item_id=item["id"])}


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


# TODO 6b: an error handler for RequestEntityTooLarge (413), @app.errorhandler(RequestEntityTooLarge).
#   Flask picks the most specific handler, so this one wins over handle_http_error below for a 413.
#   Answer JSON, with the status 413:
#       {"error": "The request is too large: the limit is 64 KiB.", "status": 413}
#   (compute 64 from app.config["MAX_CONTENT_LENGTH"] // 1024, so the message follows the setting).


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
