"""Shelf: save links now, read them later."""

# Lesson 7: application factory, configuration and blueprints. Read lessons/lesson7/lesson.md first.
#
# Shelf outgrows its one module. Everything shelf/app.py does moves to where it belongs:
#   shelf/__init__.py    create_app(): builds a new, fully set-up app at every call  -> TODO 1, 3, 4, 9
#   shelf/store.py       one Store per app, kept in app.extensions["shelf_store"]    -> TODO 2
#   shelf/converters.py  TagListConverter                                            -> TODO 5
#   shelf/main.py        the blueprint "main": the site's pages, and the hooks and
#                        the error handler that every page shares                    -> TODO 5, 7, 8
#   shelf/items.py       the blueprint "items", under /items                         -> TODO 5
#   shelf/api.py         the blueprint "api", under /api                             -> TODO 5
#   shelf/templates/     url_for with the new endpoint names                         -> TODO 6
#   shelf/app.py, shelf/serve.py   delete app.py at the end; serve create_app()      -> TODO 10
#
# The grader builds the app of every check with create_app({"TESTING": True}). Until TODO 1 is done,
# create_app() below hands back lesson 6's module-level app from shelf/app.py: Shelf works as before,
# and this lesson's checks fail. Run `grade lesson7` from the project's root folder to check your work.


def create_app(test_config=None):
    """Build a new, independent Shelf app. ``test_config`` overrides every other setting."""
    # TODO 1: build a new app here, at every call, and return it:
    #       app = Flask(__name__, instance_relative_config=True)
    #       app.logger.setLevel("INFO")   (lesson 5's app.logger.setLevel(logging.INFO), for this new app)
    #       ...                       (TODO 3, 4, 2, 5, 9, in that order)
    #       return app
    #   No Flask object may be made at module level: not here, not in any other module.
    #
    # TODO 3: first the defaults, the weakest layer of settings:
    #       app.config.from_mapping(SECRET_KEY="dev", ITEMS_PER_PAGE=20, MAX_CONTENT_LENGTH=64 * 1024,
    #                               SESSION_COOKIE_SAMESITE="Lax", PROXY_HOPS=0)
    #   (they replace the app.config[...] = ... lines and the PER_PAGE constant of shelf/app.py).
    #
    # TODO 4: then the layers that override them, in this order:
    #       app.config.from_pyfile("config.py", silent=True)   instance/config.py, if there is one
    #       app.config.from_prefixed_env()                     FLASK_ITEMS_PER_PAGE=5 -> ITEMS_PER_PAGE == 5
    #       test_config, last of all, when it is given: app.config.from_mapping(test_config)
    #
    # TODO 2: give the app its own store: store.init_app(app) (write it in shelf/store.py).
    #
    # TODO 5: register the converter first (app.url_map.converters["tags"] = TagListConverter),
    #   then the three blueprints: app.register_blueprint(main.bp), items.bp and api.bp.
    #
    # TODO 9: wrap app.wsgi_app in lesson 6's middleware, as shelf/app.py does, on this new app:
    #   PoweredByMiddleware, then DispatcherMiddleware with /health. ProxyFix becomes opt-in: wrap it
    #   last, trusting PROXY_HOPS hops of each header, and only when app.config["PROXY_HOPS"] is above 0.
    #
    # Import what you need at the top of this file: Flask, the middleware, and the modules
    #   from shelf import api, items, main, store   (they must not import anything from this file).
    from shelf.app import app  # lesson 6's app: remove these two lines when create_app() builds its own

    return app
