"""The course as a local web site (``grade serve``): ``app`` is the Flask app, ``worker`` grades for it."""
