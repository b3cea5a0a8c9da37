"""WSGI middleware: a WSGI app that wraps another one."""


class PoweredByMiddleware:
    """Add an ``X-Powered-By`` header to every response of the wrapped WSGI app."""

    def __init__(self, wsgi_app, value="Shelf"):
        # TODO 3a: Keep both arguments on self: the WSGI app to wrap, and the header's value.
        pass

    def __call__(self, environ, start_response):
        # TODO 3b: A middleware is itself a WSGI app. Call the wrapped app with the same environ and a
        #          start_response of your own. Yours takes (status, headers, exc_info=None), adds
        #          ("X-Powered-By", <value>) to a copy of the headers, and calls the server's
        #          start_response with the status, those headers AND exc_info, and returns what that
        #          returns (PEP 3333's write() callable).
        #          Return the wrapped app's iterable itself: no list() and no loop over it, so a streamed
        #          response still streams and the server can still call its close().
        raise NotImplementedError("TODO 3: PoweredByMiddleware.__call__")
