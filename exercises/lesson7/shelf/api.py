"""The JSON API, under /api."""

# TODO 5: make this module the blueprint "api", mounted under /api:
#       from flask import Blueprint
#       bp = Blueprint("api", __name__, url_prefix="/api")
#   Move the two API views here from shelf/app.py, with shorter routes and names:
#       api_item    @app.get("/api/items/<int:item_id>")  ->  @bp.get("/items/<int:item_id>")  def item(item_id)
#       api_create  @app.post("/api/items")                ->  @bp.post("/items")                def create()
#   Their endpoints become api.item and api.create. In create(), the Location header is
#   url_for(".item", item_id=...), and item_error comes from shelf.items (from shelf.items import item_error).
#   The blueprint's name is "api": a name with a dot in it, such as "api.v1", is refused with a ValueError.
#   The JSON error pages need no handler here: main.py's app-wide one (TODO 8) already answers /api/... URLs.
