"""Fixtures for Shelf's tests: a fresh app with its own database file for every test."""

import pytest

from shelf import create_app


@pytest.fixture
def app(tmp_path):
    return create_app({
        "TESTING": True,
        "DATABASE": str(tmp_path / "shelf.sqlite"),  # a new file per test: tests never share data
        "WTF_CSRF_ENABLED": False,  # forms are posted without scraping the token
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing: tests log in a lot
    })


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Register, log in and log out through the real pages, as a user would."""

    def __init__(self, client):
        self.client = client

    def register(self, username="ann", password="secret"):
        return self.client.post("/auth/register", data={"username": username, "password": password})

    def login(self, username="ann", password="secret"):
        return self.client.post("/auth/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.get("/auth/logout")

    def token(self, username="ann", password="secret"):
        """Register and return an API token for the user."""
        self.register(username, password)
        return self.client.post("/api/tokens", auth=(username, password)).get_json()["token"]


@pytest.fixture
def auth(client):
    return AuthActions(client)
