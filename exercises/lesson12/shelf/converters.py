"""Shelf's own URL converters."""

from werkzeug.routing import BaseConverter


class TagListConverter(BaseConverter):
    """``python+wsgi`` in a URL ⇄ ``["python", "wsgi"]`` in the view."""

    # At least two tags joined by "+": a single tag (/tags/wsgi) stays with the "tag" view.
    regex = r"[^/+]+(?:\+[^/+]+)+"
    # /tags/python+wsgi also fits <tag> (weight 100); a lower weight makes Werkzeug try this rule first.
    weight = 50

    def to_python(self, value):
        return value.split("+")

    def to_url(self, value):
        # Quote each tag as the default converter would, then join them with "+".
        return "+".join(BaseConverter.to_url(self, tag) for tag in value)
