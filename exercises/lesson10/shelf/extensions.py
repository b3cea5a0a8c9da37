"""Shelf's extension objects. They are created here, without an app, and set up in ``create_app()``.

Views import them from here (``from shelf.extensions import throttle``): importing them from
``shelf`` itself would be a circular import.
"""

# TODO 1: csrf = CSRFProtect(), from flask_wtf.csrf. create_app() sets it up with csrf.init_app(app).

# TODO 3: throttle = Throttle(), from shelf.throttle (once you have written the class). create_app() sets it
#         up with throttle.init_app(app).
