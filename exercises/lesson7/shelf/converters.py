"""Shelf's own URL converters."""

# TODO 1: move TagListConverter here from shelf/app.py, unchanged, with the import it needs, and import it in
#   shelf/app.py from here. It must be registered before any blueprint whose routes use <tags:...>.
