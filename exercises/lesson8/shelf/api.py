"""The JSON API, under /api. Its errors are JSON too: see handle_http_error in main.py."""

from flask import Blueprint, abort, request, url_for

from shelf.items import item_error
from shelf.store import get_store

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/items/<int:item_id>")
def item(item_id):
    item = get_store().get(item_id)
    if item is None:
        abort(404)
    return item


@bp.post("/items")
def create():
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
    item = get_store().add(title, url, [str(tag) for tag in tags])
    return item, 201, {"Location": url_for(".item", item_id=item["id"])}
