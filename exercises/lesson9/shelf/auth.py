"""Accounts, under /auth: register, log in, log out, and the ``login_required`` decorator.

Passwords are stored as salted, slow hashes (``generate_password_hash``) and compared only with
``check_password_hash``. The session holds nothing but the user's id.
"""

# Lesson 9: the TODOs are numbered like the tasks in lessons/lesson9/lesson.md. The blueprint, the
# stubs below and the templates (templates/auth/register.html, templates/auth/login.html) are provided.

import functools  # noqa: F401 - TODO 4: functools.wraps
import sqlite3  # noqa: F401 - TODO 1: sqlite3.IntegrityError, when the username is taken
from urllib.parse import urlsplit  # noqa: F401 - TODO 7

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request,  # noqa: F401
                   session, url_for)
from werkzeug.security import check_password_hash, generate_password_hash  # noqa: F401

from shelf.db import get_db  # noqa: F401

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.before_app_request
def load_logged_in_user():
    """Put the logged-in user (a row with ``id`` and ``username``) or None on ``g.user``, for every request."""
    # TODO 2: read session.get("user_id"). None means nobody is logged in: g.user = None. Otherwise
    #   g.user is the row SELECT id, username FROM user WHERE id = ? (with that id), or None if there is
    #   no such row any more. Templates can use g.user too: {% if g.user %}{{ g.user.username }}{% endif %}.
    g.user = None


def login_required(view):
    """Send visitors who are not logged in to the login page, with ``next`` saying where they were going."""
    # TODO 4: return a new function, wrapped_view(*args, **kwargs), that
    #   - redirects to url_for("auth.login", next=request.path) when g.user is None;
    #   - else returns view(*args, **kwargs).
    #   Decorate wrapped_view with @functools.wraps(view): Flask names an endpoint after its function,
    #   and without wraps every protected view would be called wrapped_view.
    return view


def safe_next(target):
    """``target`` if it is a path on this site, else None: a login must never send the user to another site."""
    # TODO 7: return target only if it is a path on this site: it starts with "/" but not with "//"
    #   (//evil.example is another site), holds no backslash (browsers read \ as /), and urlsplit(target)
    #   finds no scheme and no netloc (urlsplit drops tabs and newlines first, as browsers do:
    #   "/\t/evil.example" is //evil.example to both). Otherwise (None, "", https://evil.example/) return None.
    return None


# TODO 1: register(), at /auth/register (GET and POST).
#   GET shows render_template("auth/register.html").
#   POST reads request.form.get("username", "").strip() and request.form.get("password", ""), then:
#   - no username: the form again, error="Username is required.", with the status 400;
#   - no password: error="Password is required.", 400;
#   - else INSERT INTO user (username, password) VALUES (?, ?), with the password's hash,
#     generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"]), and commit.
#     The username column is UNIQUE: a taken name raises sqlite3.IntegrityError, which becomes
#     error=f"User {username} is already registered.", 400;
#   - success: flash("Your account is ready: log in.", "success") and redirect to url_for(".login").

# TODO 2: login(), at /auth/login (GET and POST).
#   GET shows render_template("auth/login.html").
#   POST looks the user up by username (SELECT id, password FROM user WHERE username = ?):
#   - no such user, or check_password_hash(user["password"], password) is false: the form again with
#     error="Incorrect username or password.", 400. One message, one page for both mistakes;
#   - else session.clear(), then session["user_id"] = user["id"], and redirect to "/"
#     (url_for("main.index")), or to the page ?next= names (TODO 7: only if safe_next() accepts it).

# TODO 3: logout(), at /auth/logout (GET and POST): session.clear(), flash("Logged out.", "info"),
#   and redirect to url_for("main.index").
