"""Serve Shelf with the standard library's WSGI server (wsgiref): fine for learning, not for production.

    python -m shelf.serve --port 8000

In production use a real WSGI server, e.g. ``gunicorn -w 4 'shelf.app:app'`` or ``waitress-serve shelf.app:app``.
"""

# TODO 7: serve an app from the factory, since shelf/app.py goes away:
#   - import create_app (from shelf import create_app) instead of shelf.app's app;
#   - make_server(host="127.0.0.1", port=8000, app=None) serves app if it is given, else create_app();
#   - in production the servers call the factory too: gunicorn -w 4 'shelf:create_app()'
#     or waitress-serve --call shelf:create_app.

import argparse
from wsgiref.simple_server import make_server as make_wsgi_server

from shelf.app import app as shelf_app


def make_server(host="127.0.0.1", port=8000, app=shelf_app):
    """A server for ``app``, bound but not yet serving. Port 0 picks a free port: see ``server.server_port``."""
    return make_wsgi_server(host, port, app)


def main():
    parser = argparse.ArgumentParser(description="Serve Shelf with wsgiref.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    with make_server(args.host, args.port) as server:
        print(f"Serving Shelf on http://{args.host}:{server.server_port}/ (Ctrl+C to stop)")
        server.serve_forever()


if __name__ == "__main__":
    main()
