"""Shelf's own URL converters."""

# TODO 5: move TagListConverter here from shelf/app.py, unchanged, with its import:
#       from werkzeug.routing import BaseConverter
#   create_app() registers it, before the blueprints (their routes use <tags:...>):
#       app.url_map.converters["tags"] = TagListConverter
