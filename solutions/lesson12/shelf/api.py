"""The JSON API, under /api: Shelf's items as resources, served by class-based views.

    GET    /api/items                 a page of items, with links to the next and previous pages
    POST   /api/items                 save an item                       (token)  → 201 + Location
    GET    /api/items/<id>            one item
    PATCH  /api/items/<id>            change some of its fields          (token, owner)
    DELETE /api/items/<id>            delete it                          (token, owner) → 204
    POST   /api/tokens                a token, for a username and password sent with Basic auth
    GET    /api/items/export.csv      every item (?tag= to filter) as a CSV file, streamed

Errors are JSON too (see handle_http_error in main.py), and a 405 keeps its Allow header.
"""

import csv

from flask import Blueprint, Response, abort, current_app, request, stream_with_context, url_for
from flask.views import MethodView
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized
from werkzeug.security import check_password_hash

from shelf.db import get_db
from shelf.extensions import throttle
from shelf.items import item_error
from shelf.store import get_store

bp = Blueprint("api", __name__, url_prefix="/api")

STATUSES = ("unread", "read")
CSV_COLUMNS = ("id", "title", "url", "tags", "status")


# Tokens ----------------------------------------------------------------------------------------

def _tokens():
    """Signs tokens with the app's SECRET_KEY: a changed token no longer matches its signature.

    The keys in SECRET_KEY_FALLBACKS are old ones, still accepted while the tokens they signed expire: with a
    list, itsdangerous signs with the last key and accepts a signature made with any of them."""
    fallbacks = current_app.config["SECRET_KEY_FALLBACKS"] or []
    return URLSafeTimedSerializer([*fallbacks, current_app.secret_key], salt="shelf-api-token")


def _unauthorized(scheme):
    """401, telling the client how to authenticate (WWW-Authenticate), as HTTP requires."""
    return Unauthorized(www_authenticate=WWWAuthenticate(scheme, {"realm": "Shelf"} if scheme == "basic" else None))


def token_user():
    """The id of the user whose valid token came with ``Authorization: Bearer <token>``; else 401."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        raise _unauthorized("bearer")
    try:
        user_id = _tokens().loads(auth.token, max_age=current_app.config["API_TOKEN_MAX_AGE"])
    except BadSignature:  # tampered with, signed with another key, or expired
        raise _unauthorized("bearer") from None
    if get_db().execute("SELECT 1 FROM user WHERE id = ?", (user_id,)).fetchone() is None:
        raise _unauthorized("bearer")
    return user_id


@bp.post("/tokens")
def create_token():
    """Trade a username and password (Basic auth) for a token the other requests send as Bearer."""
    auth = request.authorization
    user = None
    if auth is not None and auth.type == "basic":
        user = get_db().execute("SELECT id, password FROM user WHERE username = ?", (auth.username,)).fetchone()
    if user is None or not check_password_hash(user["password"], auth.password or ""):
        raise _unauthorized("basic")
    return {"token": _tokens().dumps(user["id"]), "expires_in": current_app.config["API_TOKEN_MAX_AGE"]}, 201


# Items -----------------------------------------------------------------------------------------

def _find(item_id):
    item = get_store().get(item_id)
    if item is None:
        abort(404)
    return item


def _json_object():
    data = request.get_json()  # not JSON → 415, malformed JSON → 400
    if not isinstance(data, dict):
        abort(400, "Send a JSON object.")
    return data


def _fields_error(title, url, tags, status):
    error = item_error(title, url)
    if error is None and not (isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)):
        error = "Tags must be a list of strings."
    if error is None and status not in STATUSES:
        error = "Status must be unread or read."
    return error


class ItemListAPI(MethodView):
    """/api/items: GET lists a page of items, POST saves a new one."""

    init_every_request = False  # the view keeps no state: one instance serves every request

    def get(self):
        page = request.args.get("page", 1, type=int)
        per_page = min(request.args.get("per_page", current_app.config["ITEMS_PER_PAGE"], type=int), 100)
        if page < 1 or per_page < 1:
            abort(400, "page and per_page start at 1.")
        items = get_store().all_items()
        start = (page - 1) * per_page

        def link(number):
            return url_for(".items", page=number, per_page=per_page)

        return {
            "items": items[start:start + per_page], "page": page, "per_page": per_page, "total": len(items),
            "next": link(page + 1) if start + per_page < len(items) else None,
            "prev": link(page - 1) if page > 1 else None,
        }

    @throttle.limit()
    def post(self):
        user_id = token_user()
        data = _json_object()
        title = str(data.get("title") or "").strip()
        url = str(data.get("url") or "").strip()
        tags = data.get("tags", [])
        error = _fields_error(title, url, tags, "unread")
        if error:
            return {"error": error}, 400
        item = get_store().add(title, url, tags, owner_id=user_id)
        return item, 201, {"Location": url_for(".item", item_id=item["id"])}


class ItemAPI(MethodView):
    """/api/items/<id>: GET shows the item, PATCH changes the fields sent, DELETE removes it."""

    init_every_request = False

    def get(self, item_id):
        return _find(item_id)

    def patch(self, item_id):
        user_id = token_user()
        item = _find(item_id)
        if item["owner_id"] != user_id:
            abort(403)
        changes = _json_object()
        # PATCH changes only what was sent; every other field keeps its value.
        merged = {**item, **{key: changes[key] for key in ("title", "url", "tags", "status") if key in changes}}
        title, url = str(merged["title"]).strip(), str(merged["url"]).strip()
        error = _fields_error(title, url, merged["tags"], merged["status"])
        if error:
            return {"error": error}, 400
        return get_store().update(item_id, title, url, merged["tags"], merged["status"])

    def delete(self, item_id):
        user_id = token_user()
        if _find(item_id)["owner_id"] != user_id:
            abort(403)
        get_store().delete(item_id)
        return "", 204  # No Content: nothing in the body, not even {}


bp.add_url_rule("/items", view_func=ItemListAPI.as_view("items"))
bp.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))


# Export ----------------------------------------------------------------------------------------

class _Line:
    """A file for csv.writer whose write() hands the formatted line back instead of storing it."""

    def write(self, line):
        return line


@bp.get("/items/export.csv")
def export_csv():
    """Every item as CSV, one row at a time: the response starts before the last row is read."""

    @stream_with_context  # keeps the request (and app) context alive while the generator runs
    def rows():
        writer = csv.writer(_Line())
        yield writer.writerow(CSV_COLUMNS)
        tag = request.args.get("tag")  # read here, after the view has returned
        for item in get_store().search(tags=[tag] if tag else []):
            yield writer.writerow([item["id"], item["title"], item["url"], " ".join(item["tags"]), item["status"]])

    return Response(rows(), mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=shelf.csv"})
