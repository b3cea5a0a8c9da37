"""The pages that list, show, add and import items, under /items."""

# TODO 3: make this module the blueprint "items", under the url_prefix /items, registered like main. Move these
#   views here from shelf/app.py, with routes written relative to the prefix and shorter names:
#       item_list  /items/ (GET, POST) -> index      item_detail  /items/<int:item_id> -> detail
#       item_create  /items/new        -> create     item_import  /items/import        -> import_urls
#   so that their endpoints are items.index, items.detail, items.create and items.import_urls. Bring
#   item_error(), remember_viewed() and RECENT_MAX along (api.py imports item_error from here). Rename the
#   endpoints wherever url_for names them, here and in the templates; get_store() replaces shelf.store.
