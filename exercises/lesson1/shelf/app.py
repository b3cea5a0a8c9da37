"""Shelf: save links now, read them later."""

from flask import Flask, abort, request
from markupsafe import escape

from shelf import store

app = Flask(__name__)

# Lesson 1: add one view function per TODO. Run `grade lesson1` after each one.
#
# TODO 1: GET /  returns a page that says "Welcome to Shelf".
# TODO 2: GET /items/  (with the trailing slash) lists the title of every item in store.all_items().
#         The same view answers POST /items/ with the text "Created".
# TODO 3: GET /items/<int:item_id>  shows "Item 2: PEP 3333" for item 2 (store.get(item_id)),
#         and a 404 for an id that does not exist (abort(404)). Name the view function item_detail.
# TODO 4: GET /tags/<tag>  lists the titles of the items with that tag (store.with_tag(tag)).
#         Name the view function tag.
# TODO 5: GET /about  (no trailing slash) says what Shelf is.
