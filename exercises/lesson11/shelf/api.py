"""The JSON API, under /api. Its errors are JSON too: see handle_http_error in main.py."""

# Lesson 11: a REST API. Read lessons/lesson11/lesson.md first.
#
# This module becomes Shelf's API for programs: items as resources served by two class-based views,
# writes that need a token, and an export that streams. When you are done, it answers:
#     GET    /api/items                 a page of items, with links to the next and previous pages   TODO 6
#     POST   /api/items                 save an item (token) → 201 + Location                         TODO 1, 4
#     GET    /api/items/<id>            one item                                                      TODO 1
#     PATCH  /api/items/<id>            change the fields sent (token, owner)                         TODO 5
#     DELETE /api/items/<id>            delete it (token, owner) → 204, empty body                    TODO 5
#     POST   /api/tokens                a token, for a username and password sent with Basic auth     TODO 2
#     GET    /api/items/export.csv      every item (?tag= to filter) as a CSV file, streamed          TODO 7
# Writes find out who is calling with token_user() (TODO 3). Errors stay JSON: main.py's handler
# already answers every error under /api/ with JSON, and keeps headers such as Allow and WWW-Authenticate.
# Run `grade lesson11` from the project's root folder to check your work.

from flask import Blueprint, abort, request, url_for
# TODO: the new imports, as you need them: csv; Response, current_app and stream_with_context from flask;
#   MethodView from flask.views; BadSignature and URLSafeTimedSerializer from itsdangerous; WWWAuthenticate
#   from werkzeug.datastructures; Unauthorized from werkzeug.exceptions; check_password_hash from
#   werkzeug.security; get_db from shelf.db.

from shelf.extensions import throttle
from shelf.items import item_error
from shelf.store import get_store

bp = Blueprint("api", __name__, url_prefix="/api")

STATUSES = ("unread", "read")  # what PATCH accepts as an item's status (TODO 5)
CSV_COLUMNS = ("id", "title", "url", "tags", "status")  # the header row of the export (TODO 7)

# TODO 2: POST /api/tokens, a view function create_token():
#   - _tokens() returns URLSafeTimedSerializer(current_app.secret_key, salt="shelf-api-token");
#   - read request.authorization: when it is of type "basic", look the user up by auth.username and compare
#     the password with check_password_hash(user["password"], auth.password), as login() does;
#   - good credentials: return {"token": _tokens().dumps(user["id"]), "expires_in": API_TOKEN_MAX_AGE}, 201;
#   - anything else: raise Unauthorized(www_authenticate=WWWAuthenticate("basic", {"realm": "Shelf"})).
#
# TODO 3: token_user() returns the id of the user whose token came with "Authorization: Bearer <token>":
#   - request.authorization is None, or not of type "bearer": 401;
#   - _tokens().loads(auth.token, max_age=current_app.config["API_TOKEN_MAX_AGE"]) raises BadSignature
#     (changed, signed with another key, or too old): 401;
#   - no user with that id in the table user any more: 401.
#   Every 401 is raise Unauthorized(www_authenticate=WWWAuthenticate("bearer")).


# TODO 1: the two views below become two classes, with one function per HTTP method:
#   class ItemListAPI(MethodView): get(self) (TODO 6) and post(self) (TODO 4: create(), moved)
#   class ItemAPI(MethodView): get(self, item_id) (item(), moved), patch(self, item_id) and
#                              delete(self, item_id) (TODO 5)
#   Register them below the classes, then delete the two functions and their @bp decorators:
#       bp.add_url_rule("/items", view_func=ItemListAPI.as_view("items"))                   endpoint api.items
#       bp.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))          endpoint api.item
@bp.get("/items/<int:item_id>")
def item(item_id):
    item = get_store().get(item_id)
    if item is None:
        abort(404)
    return item


# TODO 4: create() becomes ItemListAPI.post(self), still under @throttle.limit():
#   - user_id = token_user() first: no valid token, no item;
#   - the same checks of the body; tags must be a list of strings;
#   - get_store().add(title, url, tags, owner_id=user_id), and the same 201 with its Location.
@bp.post("/items")
@throttle.limit()
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


# TODO 5: ItemAPI.patch(self, item_id) and ItemAPI.delete(self, item_id):
#   - both start with user_id = token_user(), then abort(404) for a missing item and abort(403) unless
#     item["owner_id"] == user_id (the starter items belong to nobody);
#   - patch changes only the fields the JSON has (title, url, tags, status): start from the item, take the
#     keys that were sent, check the result like a new item (and status in STATUSES), else 400
#     {"error": ...}; then return get_store().update(item_id, title, url, tags, status);
#   - delete removes the item and returns "", 204: No Content, an empty body.
#
# TODO 6: ItemListAPI.get(self): a page of items.
#   - page and per_page come from request.args (type=int); per_page defaults to ITEMS_PER_PAGE and is
#     capped at 100; a page or per_page below 1 is abort(400, ...);
#   - return {"items": [...this page...], "page": ..., "per_page": ..., "total": <every item>,
#     "next": url_for(".items", page=page + 1, per_page=per_page) or None on the last page,
#     "prev": the page before, or None on page 1}.
#
# TODO 7: GET /api/items/export.csv, a view function export_csv(), streams every item as CSV:
#   - a generator rows(), decorated with @stream_with_context, yields the header row (CSV_COLUMNS), then
#     one row per item of get_store().search(tags=[tag] if tag else []), tags joined with spaces;
#     it reads the tag, request.args.get("tag"), itself;
#   - write each row with writer = csv.writer(_Line()): writer.writerow(values) returns the line;
#   - return Response(rows(), mimetype="text/csv",
#                     headers={"Content-Disposition": "attachment; filename=shelf.csv"}).


class _Line:
    """A file for csv.writer whose write() hands the formatted line back instead of storing it (provided)."""

    def write(self, line):
        return line
