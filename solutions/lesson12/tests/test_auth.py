import re

from flask import session
from werkzeug.security import check_password_hash

from shelf.db import get_db


def test_register_stores_a_hash(client, auth, app):
    response = auth.register("bob", "pw123")
    assert response.status_code in (302, 303)  # 302 in Flask 3.1; redirect() answers 303 from 3.2 on
    assert response.headers["Location"] == "/auth/login"
    with app.app_context():
        row = get_db().execute("SELECT password FROM user WHERE username = 'bob'").fetchone()
    assert row["password"] != "pw123"
    assert check_password_hash(row["password"], "pw123")


def test_register_refuses_a_taken_name(auth):
    auth.register()
    response = auth.register()
    assert response.status_code == 400
    assert b"already registered" in response.data


def test_login_and_logout(client, auth):
    auth.register()
    with client:
        assert auth.login().headers["Location"] == "/"
        assert session["user_id"] == 1
        auth.logout()
        assert "user_id" not in session


def test_bad_login_gives_one_message(client, auth):
    auth.register()
    client.get("/auth/login")  # shows (and so removes) the "account is ready" message
    wrong_password = auth.login(password="nope")
    unknown_user = auth.login(username="nobody")
    assert wrong_password.status_code == unknown_user.status_code == 400
    # The pages differ only in their CSRF token: the same text, so no clue which usernames exist.
    without_token = [re.sub(rb'name="csrf_token" value="[^"]*"', b"", page.data) for page in (wrong_password, unknown_user)]
    assert without_token[0] == without_token[1]
    assert b"Incorrect username or password." in wrong_password.data


def test_login_never_redirects_to_another_site(client, auth):
    auth.register()
    response = client.post("/auth/login?next=https://evil.example/", data={"username": "ann", "password": "secret"})
    assert response.headers["Location"] == "/"
