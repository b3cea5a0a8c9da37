"""Shelf: save links now, read them later.

``create_app()`` builds the app: ``flask --app shelf run --debug`` finds it by itself.
"""

# Lesson 8: persistence with SQLite, the app context and CLI commands. Read lessons/lesson8/lesson.md first.
#
# Shelf's items move from a list in memory into a SQLite database, one file per app:
#   shelf/__init__.py   the DATABASE setting; create_app() calls db.init_app and commands.init_app -> TODO 1, 2, 7
#   shelf/db.py         get_db(), close_db(), init_db(): one connection per app context          -> TODO 2, 3
#   shelf/schema.sql    the tables and the three starter items (provided: read it)
#   shelf/store.py      the Store's methods run parameterised SQL through get_db(), and commit  -> TODO 4, 5
#   shelf/items.py      POST /items/<id>/delete, with a form on the item's page                  -> TODO 6
#   shelf/commands.py   flask init-db and flask seed                                             -> TODO 7
#
# The grader builds every check's app with create_app({"TESTING": True, "DATABASE": <a new file>}), so
# each check starts from a new database. Until the store uses SQL, the items stay in memory and this
# lesson's checks fail. Run `grade lesson8` from the project's root folder to check your work.

# TODO 1: import os (for os.path.join and os.makedirs).
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

from shelf import api, items, main, store
# TODO 2, 7: import the new modules too: from shelf import api, commands, db, items, main, store
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
        # TODO 1: DATABASE=os.path.join(app.instance_path, "shelf.sqlite"): by default, the database file
        #   lives in the instance folder, which is not in git. Like every setting, test_config overrides it.
        ITEMS_PER_PAGE=20,
        MAX_CONTENT_LENGTH=64 * 1024,  # bigger request bodies get 413 Content Too Large
        SESSION_COOKIE_SAMESITE="Lax",
        PROXY_HOPS=0,  # how many reverse proxies stand in front of Shelf: none, on your own machine
    )
    app.config.from_pyfile("config.py", silent=True)  # instance/config.py, kept out of git
    app.config.from_prefixed_env()  # FLASK_ITEMS_PER_PAGE=5 → 5: values are read as JSON when they parse
    if test_config is not None:
        app.config.from_mapping(test_config)

    # TODO 1: os.makedirs(app.instance_path, exist_ok=True): sqlite3 creates the database file, not its folder.
    # TODO 2: db.init_app(app), before the store: it registers close_db with app.teardown_appcontext.
    store.init_app(app)  # this app's own items, in app.extensions["shelf_store"]
    # TODO 7: commands.init_app(app): it adds flask init-db and flask seed to app.cli.

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
