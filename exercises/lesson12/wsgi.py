"""The entry point for a production WSGI server: waitress-serve --port 8000 wsgi:app

Settings come from the environment: FLASK_PRODUCTION=true, FLASK_SECRET_KEY=..., FLASK_DATABASE=...
"""

# TODO 7: build the app with the factory, app = create_app(), and do nothing else: no app.run(), no
#         serve(), no debug. A server imports this module to find `app`, then serves it itself.
