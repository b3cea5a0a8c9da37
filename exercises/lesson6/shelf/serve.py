"""Serve Shelf with the standard library's WSGI server (wsgiref): fine for learning, not for production.

    python -m shelf.serve --port 8000

In production use a real WSGI server, e.g. ``gunicorn -w 4 'shelf.app:app'`` or ``waitress-serve shelf.app:app``.
"""

import argparse

from shelf.app import app as shelf_app


def make_server(host="127.0.0.1", port=8000, app=shelf_app):
    """A server for ``app``, bound but not yet serving. Port 0 picks a free port: see ``server.server_port``."""
    # TODO 7: Build and return the standard library's WSGI server for `app`, bound to host and port:
    #         wsgiref.simple_server has a make_server(host, port, app) (import it under another name,
    #         such as make_wsgi_server, since this function is called make_server too).
    #         Return it without starting it: main() below calls serve_forever(), and the grader starts it
    #         in a thread of its own.
    raise NotImplementedError("TODO 7: make_server")


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
