"""Accounts, under /auth: register, log in, log out, and the ``login_required`` decorator.

Passwords are stored as salted, slow hashes (``generate_password_hash``) and compared only with
``check_password_hash``. The session holds nothing but the user's id.
"""

import functools
import sqlite3
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from shelf.db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.before_app_request
def load_logged_in_user():
    """Put the logged-in user (a row with ``id`` and ``username``) or None on ``g.user``, for every request."""
    user_id = session.get("user_id")
    g.user = None if user_id is None else get_db().execute(
        "SELECT id, username FROM user WHERE id = ?", (user_id,)).fetchone()


def login_required(view):
    """Send visitors who are not logged in to the login page, with ``next`` saying where they were going.

    ``functools.wraps`` keeps the view's name: Flask names the endpoint after the function, and
    without it every protected view would be called ``wrapped_view``.
    """
    @functools.wraps(view)
    def wrapped_view(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped_view


def safe_next(target):
    """``target`` if it is a path on this site, else None: a login must never send the user to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/register", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render_template("auth/register.html")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    error = None
    if not username:
        error = "Username is required."
    elif not password:
        error = "Password is required."
    else:
        db = get_db()
        try:
            password_hash = generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])
            db.execute("INSERT INTO user (username, password) VALUES (?, ?)", (username, password_hash))
            db.commit()
        except sqlite3.IntegrityError:  # the UNIQUE constraint on username
            error = f"User {username} is already registered."
    if error:
        return render_template("auth/register.html", error=error), 400
    flash("Your account is ready: log in.", "success")
    return redirect(url_for(".login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    user = get_db().execute("SELECT id, password FROM user WHERE username = ?", (username,)).fetchone()
    if user is None or not check_password_hash(user["password"], password):
        # One message for both mistakes: the page must not reveal which usernames exist.
        return render_template("auth/login.html", error="Incorrect username or password."), 400
    session.clear()  # a fresh session at login: nothing from before survives into the account
    session["user_id"] = user["id"]
    return redirect(safe_next(request.args.get("next")) or url_for("main.index"))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    session.clear()
    flash("Logged out.", "info")
    return redirect(url_for("main.index"))
