"""Fixtures for Shelf's tests: pytest finds them here and hands them to any test that names them."""

import pytest

from shelf import create_app

# TODO 1: four fixtures (see lesson 12, "Fixtures: a fresh app for every test"):
#   app     create_app() with a test config: TESTING, a DATABASE file under tmp_path (a new one for every
#           test), WTF_CSRF_ENABLED False, and a fast PASSWORD_HASH_METHOD ("pbkdf2:sha256:1000").
#   client  app.test_client()
#   runner  app.test_cli_runner()
#   auth    an object with register(), login() and logout() that post to /auth/... with the client
#           (and, for the API, a way to get a token from POST /api/tokens).
