"""WSGI middleware: a WSGI app that wraps another one."""


class PoweredByMiddleware:
    """Add an ``X-Powered-By`` header to every response of the wrapped WSGI app."""

    def __init__(self, wsgi_app, value="Shelf"):
        self.wsgi_app = wsgi_app
        self.value = value

    def __call__(self, environ, start_response):
        def start_with_header(status, headers, exc_info=None):
            # Pass exc_info on (an error page may replace the headers) and return what
            # start_response returns: the write() callable of PEP 3333.
            return start_response(status, [*headers, ("X-Powered-By", self.value)], exc_info)

        # Return the inner app's iterable itself: no list(), so streaming responses still stream
        # and the server can still call its close().
        return self.wsgi_app(environ, start_with_header)
