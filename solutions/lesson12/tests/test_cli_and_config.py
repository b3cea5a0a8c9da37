import pytest

from shelf import create_app
from shelf.store import get_store


def test_init_db_starts_over(app, runner):
    with app.app_context():
        get_store().add("Extra", "https://extra.example/")
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Initialized the database." in result.output
    with app.app_context():
        assert len(get_store().all_items()) == 3


def test_seed_adds_items(app, runner):
    assert "Seeded 2 items." in runner.invoke(args=["seed", "--count", "2"]).output
    with app.app_context():
        assert len(get_store().all_items()) == 5
    assert runner.invoke(args=["seed", "--count", "abc"]).exit_code == 2


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}


def test_production_needs_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_PRODUCTION", "true")
    with pytest.raises(RuntimeError):
        create_app({"DATABASE": str(tmp_path / "db.sqlite")})
    monkeypatch.setenv("FLASK_SECRET_KEY", "a-long-random-value")
    with pytest.raises(RuntimeError):  # nor without the host names it answers to
        create_app({"DATABASE": str(tmp_path / "db.sqlite")})
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", '["shelf.example"]')
    assert create_app({"DATABASE": str(tmp_path / "db.sqlite")}).secret_key == "a-long-random-value"
