# TODO 2: tests of the flask commands with the runner fixture: init-db starts over (save a fourth item first:
#         afterwards only the 3 starter items are left), seed --count N adds exactly N items (pick N other than
#         3, the default); of GET /healthz (task 5); and of the production settings (task 6:
#         monkeypatch.setenv("FLASK_PRODUCTION", "true"), then pytest.raises(RuntimeError)).
