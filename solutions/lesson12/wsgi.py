"""The entry point for a production WSGI server. Importing it builds the app and does nothing else.

    waitress-serve --port 8000 wsgi:app
    gunicorn -w 4 wsgi:app

Settings come from the environment: FLASK_PRODUCTION=true, FLASK_SECRET_KEY=..., FLASK_DATABASE=...
"""

from shelf import create_app

app = create_app()
