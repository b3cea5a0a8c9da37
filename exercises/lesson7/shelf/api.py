"""The JSON API, under /api."""

# TODO 4: make this module the blueprint "api", under the url_prefix /api, registered like main and items.
#   Move the two API views here from shelf/app.py: api_item becomes item (/api/items/<int:item_id>) and
#   api_create becomes create (POST /api/items), endpoints api.item and api.create. item_error comes from
#   shelf.items. A blueprint's name may not contain a dot ("api.v1" is a ValueError). The JSON error pages
#   need no handler here: the app-wide one (TODO 6) answers every URL under /api/. After this TODO, no view
#   is left in shelf/app.py: `flask --app shelf routes` lists blueprint endpoints only.
