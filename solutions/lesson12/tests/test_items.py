import sqlite3

import pytest


def test_list_shows_the_starter_items(client):
    response = client.get("/items/")
    assert response.status_code == 200
    assert b"Flask docs" in response.data and b"PEP 3333" in response.data


@pytest.mark.parametrize("path", ["/items/new", "/items/1/edit"])
def test_pages_that_change_items_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/auth/login")


def test_create_saves_the_item_for_good(client, auth, app):
    auth.register()
    auth.login()
    response = client.post("/items/new", data={"title": "Werkzeug", "url": "https://werkzeug.example/", "tags": "wsgi"})
    assert response.headers["Location"] == "/items/4"
    with sqlite3.connect(app.config["DATABASE"]) as other:  # a new connection sees only committed rows
        assert other.execute("SELECT title FROM item WHERE id = 4").fetchone() == ("Werkzeug",)


def test_only_the_owner_may_delete(client, auth):
    auth.register()
    auth.login()
    client.post("/items/new", data={"title": "Mine", "url": "https://mine.example/"})
    auth.logout()
    auth.register("eve", "pw")
    auth.login("eve", "pw")
    assert client.post("/items/4/delete").status_code == 403
    assert client.post("/items/1/delete").status_code == 403
    assert client.post("/items/99/delete").status_code == 404


def test_search_is_safe_from_sql_injection(client):
    response = client.get("/items/", query_string={"q": "' OR 1=1 --"})
    assert response.status_code == 200
    assert b"Flask docs" not in response.data


def test_search_finds_by_title(client):
    response = client.get("/items/", query_string={"q": "pep"})
    assert b"PEP 3333" in response.data
    assert b"Flask docs" not in response.data
