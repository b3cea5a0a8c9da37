"""Shelf: save links now, read them later.

``create_app()`` builds the app: ``flask --app shelf run --debug`` finds it by itself.
"""

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

from shelf import api, items, main, store
from shelf.converters import TagListConverter
from shelf.middleware import PoweredByMiddleware
from shelf.wsgi_raw import health_app


def create_app(test_config=None):
    """Build a new, independent Shelf app. ``test_config`` overrides every other setting."""
    app = Flask(__name__, instance_relative_config=True)
    app.logger.setLevel("INFO")  # outside debug mode, Flask's logger passes on only warnings and errors

    # Settings, weakest first: each step overrides the ones before it.
    app.config.from_mapping(
        SECRET_KEY="dev",  # for development only: set FLASK_SECRET_KEY, or SECRET_KEY in instance/config.py
        ITEMS_PER_PAGE=20,
        MAX_CONTENT_LENGTH=64 * 1024,  # bigger request bodies get 413 Content Too Large
        SESSION_COOKIE_SAMESITE="Lax",
        PROXY_HOPS=0,  # how many reverse proxies stand in front of Shelf: none, on your own machine
    )
    app.config.from_pyfile("config.py", silent=True)  # instance/config.py, kept out of git
    app.config.from_prefixed_env()  # FLASK_ITEMS_PER_PAGE=5 → 5: values are read as JSON when they parse
    if test_config is not None:
        app.config.from_mapping(test_config)

    store.init_app(app)  # this app's own items, in app.extensions["shelf_store"]

    # Converters first: registering a blueprint adds its rules, and <tags:...> must be known by then.
    app.url_map.converters["tags"] = TagListConverter
    app.register_blueprint(main.bp)
    app.register_blueprint(items.bp)
    app.register_blueprint(api.bp)

    # Middleware wraps app.wsgi_app, never app itself: the function returns the Flask object.
    # The last wrapper added runs first: ProxyFix → DispatcherMiddleware → PoweredByMiddleware → Flask.
    # ProxyFix is outermost so that everything inside sees the client's real address, scheme and host;
    # the dispatcher answers /health before Flask (and PoweredBy) are involved at all.
    app.wsgi_app = PoweredByMiddleware(app.wsgi_app)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/health": health_app})
    # Only behind a proxy: without one, the visitor writes the X-Forwarded-* headers and could claim any
    # address. Trust as many hops as there are proxies (FLASK_PROXY_HOPS=1 behind one nginx).
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
