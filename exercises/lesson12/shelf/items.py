"""The pages that list, show, add and import items, under /items."""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from shelf.auth import login_required
from shelf.store import get_store

bp = Blueprint("items", __name__, url_prefix="/items")

RECENT_MAX = 5


def item_error(title, url):
    """What is wrong with a new item's title and URL, or None if they are fine."""
    if not title:
        return "Title is required."
    if not url:
        return "URL is required."
    if not url.startswith(("http://", "https://")):
        return "URL must start with http:// or https://"
    return None


def tags_from(text):
    """ "python, flask" → ["python", "flask"]."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def owned_item(item_id):
    """The item, if the logged-in user saved it: 404 if there is no such item, 403 if it is someone else's."""
    item = get_store().get(item_id)
    if item is None:
        abort(404)
    if item["owner_id"] != g.user["id"]:
        abort(403)
    return item


def remember_viewed(item_id):
    """Put item_id first in session["recent"]: newest first, no repeats, at most RECENT_MAX ids."""
    recent = [item_id] + [seen for seen in session.get("recent", []) if seen != item_id]
    # Assigning a new list marks the session as modified; recent.append() alone would not be saved.
    session["recent"] = recent[:RECENT_MAX]


@bp.route("/", methods=["GET", "POST"])
def index():
    """The items, filtered by ?q= (title) and ?tag= (repeatable), one page at a time."""
    if request.method == "POST":
        return "Created"
    q = request.args.get("q", "")
    tags = request.args.getlist("tag")
    # type=int: a value that is not a number (?page=abc) gives the default instead of an error.
    page = request.args.get("page", 1, type=int)
    per_page = request.args.get("per_page", current_app.config["ITEMS_PER_PAGE"], type=int)
    per_page = min(max(per_page, 1), 100)

    items = get_store().search(q, tags)
    pages = max(1, (len(items) + per_page - 1) // per_page)
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return render_template("items/list.html", items=items[start:start + per_page], heading="Your shelf",
                           q=q, tags=tags, page=page, pages=pages, per_page=per_page)


@bp.get("/<int:item_id>")
def detail(item_id):
    item = get_store().get(item_id)
    if item is None:
        abort(404)
    remember_viewed(item_id)
    return render_template("items/detail.html", item=item)


@bp.route("/new", methods=["GET", "POST"])
@login_required  # below @bp.route: Flask must register the wrapped view, not the bare one
def create():
    """The "add an item" form: show it (GET), then check it and save the item (POST)."""
    if request.method == "GET":
        return render_template("items/new.html")
    # .get() with a default: a missing field is "" (request.form["tags"] would be a 400).
    title = request.form.get("title", "").strip()
    url = request.form.get("url", "").strip()
    tags = tags_from(request.form.get("tags", ""))
    error = item_error(title, url)
    if error:
        return render_template("items/new.html", error=error), 400
    item = get_store().add(title, url, tags, owner_id=g.user["id"])
    flash("Item saved.", "success")
    return redirect(url_for(".detail", item_id=item["id"]))


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def update(item_id):
    """Change an item's title, URL and tags: only its owner may."""
    item = owned_item(item_id)
    if request.method == "GET":
        return render_template("items/edit.html", item=item)
    title = request.form.get("title", "").strip()
    url = request.form.get("url", "").strip()
    error = item_error(title, url)
    if error:
        return render_template("items/edit.html", item=item, error=error), 400
    get_store().update(item_id, title, url, tags_from(request.form.get("tags", "")))
    flash("Item updated.", "success")
    return redirect(url_for(".detail", item_id=item_id))


@bp.post("/<int:item_id>/delete")
@login_required
def delete(item_id):
    """Delete an item: only its owner may. POST only: a link (GET) that deletes could be followed by any crawler."""
    owned_item(item_id)
    get_store().delete(item_id)
    flash("Item deleted.", "success")
    return redirect(url_for(".index"))


@bp.post("/import")
@login_required
def import_urls():
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
            get_store().add(url, url, owner_id=g.user["id"])
            imported += 1
    return {"imported": imported}
