# TODO 2: tests of the flask commands with the runner fixture (init-db starts over with the 3 starter
#         items, seed --count N adds N), of GET /healthz (task 5), and of the production settings (task 6:
#         monkeypatch.setenv("FLASK_PRODUCTION", "true"), then pytest.raises(RuntimeError)).
