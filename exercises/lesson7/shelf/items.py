"""The pages that list, show, add and import items, under /items."""

# TODO 5: make this module the blueprint "items", mounted under /items:
#       from flask import Blueprint
#       bp = Blueprint("items", __name__, url_prefix="/items")
#   The url_prefix goes in front of every route of the blueprint. Move these views here from
#   shelf/app.py, on the blueprint, with shorter routes and names:
#       item_list    @app.route("/items/", ...)      ->  @bp.route("/", methods=["GET", "POST"])    def index()
#       item_detail  @app.get("/items/<int:item_id>") ->  @bp.get("/<int:item_id>")                 def detail(item_id)
#       item_create  @app.route("/items/new", ...)    ->  @bp.route("/new", methods=["GET", "POST"]) def create()
#       item_import  @app.post("/items/import")       ->  @bp.post("/import")                       def import_urls()
#   Their endpoints become items.index, items.detail, items.create and items.import_urls. Bring the
#   helpers item_error() and remember_viewed() and the constant RECENT_MAX along (api.py imports
#   item_error from here). In these views:
#   - store.xxx(...) becomes get_store().xxx(...)                      (TODO 2)
#   - PER_PAGE becomes current_app.config["ITEMS_PER_PAGE"]            (TODO 3)
#   - url_for("item_detail", ...) becomes url_for(".detail", ...): ".detail" is this blueprint's detail.
