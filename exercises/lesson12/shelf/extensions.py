"""Shelf's extension objects. They are created here, without an app, and set up in ``create_app()``.

Views import them from here (``from shelf.extensions import throttle``): importing them from
``shelf`` itself would be a circular import.
"""

from flask_wtf.csrf import CSRFProtect

from shelf.throttle import Throttle

csrf = CSRFProtect()  # every POST form must carry the token from {{ csrf_token() }}
throttle = Throttle()
