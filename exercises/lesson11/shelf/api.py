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

# TODO 2: POST /api/tokens (a view function create_token()) trades a username and password, sent with Basic
#   auth, for a token: 201 {"token": ..., "expires_in": <API_TOKEN_MAX_AGE>}. The token is the user's id,
#   signed by a helper _tokens() with the app's secret key and the salt "shelf-api-token" (see "Signing a
#   token with itsdangerous"). Wrong or missing credentials: 401, with WWW-Authenticate: Basic realm=Shelf
#   (see "Trading a password for a token").
#
# TODO 3: token_user() returns the id of the user whose token came with "Authorization: Bearer <token>". No
#   such header, a token that does not load (changed, signed with another key, older than
#   API_TOKEN_MAX_AGE) and a user who no longer exists are all a 401 with WWW-Authenticate: Bearer (see
#   "Who is calling: token_user()").


# TODO 1: the two views below become two MethodView classes, one method per HTTP method: ItemListAPI at
#   /items (endpoint api.items: get, TODO 6, and post, TODO 4) and ItemAPI at /items/<int:item_id> (endpoint
#   api.item: get, patch and delete, TODO 5). Register each with bp.add_url_rule and as_view (see "Class-based
#   views: MethodView"), then delete the two functions.
@bp.get("/items/<int:item_id>")
def item(item_id):
    item = get_store().get(item_id)
    if item is None:
        abort(404)
    return item


# TODO 4: create() becomes ItemListAPI.post, still throttled: it finds out who is calling first (no valid
#   token, no item), checks the body as before, and saves the item as that user's, with the same 201 and
#   Location.
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


# TODO 5: ItemAPI.patch and ItemAPI.delete need a token and the item's owner: 404 for a missing item, 403 for
#   anyone else's (the starter items belong to nobody). patch changes only the fields the JSON sends (title,
#   url, tags, status in STATUSES), checked like a new item, else a 400 {"error": ...}, and answers the
#   item (see "PATCH changes only what is sent"). delete answers 204 No Content, with an empty body.
#
# TODO 6: ItemListAPI.get answers one page of items: {"items", "page", "per_page", "total", "next", "prev"},
#   the links built with url_for and None where there is no such page. per_page defaults to ITEMS_PER_PAGE
#   and is capped at 100; a page or per_page below 1 is a JSON 400 (see "Pagination").
#
# TODO 7: GET /api/items/export.csv (a view function export_csv()) streams every item as CSV, header row
#   (CSV_COLUMNS) first, tags joined with spaces, as a text/csv attachment named shelf.csv. The rows come from
#   a generator that reads ?tag= itself, so it needs the request context while it runs (see "Streaming a
#   response"); csv.writer(_Line()) turns a row into its line.


class _Line:
    """A file for csv.writer whose write() hands the formatted line back instead of storing it (provided)."""

    def write(self, line):
        return line
