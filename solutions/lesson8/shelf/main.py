"""The site's own pages, and the hooks every page shares.

The ``app_*`` decorators of a blueprint register app-wide hooks: they apply to every request of
the app, not only to this blueprint's views.
"""

import json
import re
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from shelf.context import current_item_count, wants_json
from shelf.store import get_store

bp = Blueprint("main", __name__)

REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


@bp.app_template_filter("domain")
def domain(url):
    """The host part of a URL: "https://peps.python.org/pep-3333/" → "peps.python.org"."""
    return urlsplit(url).hostname or ""


@bp.app_context_processor
def inject_globals():
    """Variables every template can use: the item count and the reader's theme."""
    theme = "dark" if request.cookies.get("theme") == "dark" else "light"
    return {"item_count": current_item_count(), "theme": theme}


@bp.before_app_request
def set_request_id():
    """Give the request an id: the caller's X-Request-ID if it looks safe, else a new random one."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


@bp.after_app_request
def add_request_id(response):
    """Echo the request id, so a client can quote it in a bug report, and log the request with it."""
    response.headers["X-Request-ID"] = g.request_id
    current_app.logger.info("%s %s %s %s", g.request_id, request.method, request.path, response.status_code)
    return response


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/about")
def about():
    return render_template("about.html")


@bp.get("/home")
def home():
    return redirect(url_for(".index"))  # ".index": the index of this blueprint, main.index


@bp.get("/robots.txt")
def robots():
    response = make_response("User-agent: *\nDisallow: /api/\n")
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/go/<int:item_id>")
def go(item_id):
    item = get_store().get(item_id)
    if item is None:
        abort(404)
    return redirect(item["url"])


@bp.get("/tags/<tag>")
def tag(tag):
    return render_template("items/list.html", items=get_store().with_tag(tag), heading=f"Tagged {tag}")


@bp.get("/tags/<tags:names>")
def tags_all(names):
    """The items that carry every tag in the URL: /tags/python+wsgi."""
    return render_template("items/list.html", items=get_store().with_tags(names),
                           heading="Tagged " + " and ".join(names))


@bp.get("/prefs/theme/<any(light, dark):theme>")
def set_theme(theme):
    """Remember the reader's colour theme in a cookie, then go back to the home page."""
    response = redirect(url_for(".index"))
    response.set_cookie("theme", theme, max_age=365 * 24 * 60 * 60, httponly=True, samesite="Lax")
    return response


@bp.get("/recent")
def recent():
    """The ids of the items this visitor viewed last, newest first."""
    return session.get("recent", [])


@bp.get("/whoami")
def whoami():
    """What Flask believes about the client: ProxyFix rewrites these from the X-Forwarded-* headers."""
    return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host": request.host}


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Uploads over MAX_CONTENT_LENGTH: say what the limit is, in JSON like the upload's answer."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
    return {"error": f"The request is too large: the limit is {limit} KiB.", "status": 413}, 413


# app_errorhandler, not errorhandler: a blueprint's own handler only sees errors raised in its views,
# and a URL that matches no rule at all (/nope, /api/nope) belongs to no blueprint.
@bp.app_errorhandler(HTTPException)
def handle_http_error(error):
    if request.path.startswith("/api/") or wants_json():
        response = error.get_response()  # keeps headers such as Allow on a 405
        response.data = json.dumps({"error": error.name, "status": error.code})
        response.content_type = "application/json"
        return response
    if error.code == 404:
        return render_template("404.html"), 404
    return error
