def test_create_needs_a_token(client):
    response = client.post("/api/items", json={"title": "T", "url": "https://t.example/"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert response.get_json()["status"] == 401


def test_create_patch_delete(client, auth):
    headers = {"Authorization": f"Bearer {auth.token()}"}
    created = client.post("/api/items", json={"title": "T", "url": "https://t.example/"}, headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"] == "/api/items/4"
    patched = client.patch("/api/items/4", json={"status": "read"}, headers=headers)
    assert patched.get_json()["status"] == "read"
    assert patched.get_json()["url"] == "https://t.example/"
    deleted = client.delete("/api/items/4", headers=headers)
    assert deleted.status_code == 204
    assert deleted.data == b""
    assert client.get("/api/items/4").status_code == 404


def test_pagination_links(client):
    page = client.get("/api/items?page=1&per_page=2").get_json()
    assert [item["id"] for item in page["items"]] == [1, 2]
    assert page["next"] == "/api/items?page=2&per_page=2"
    assert page["prev"] is None
    assert client.get("/api/items?page=0").status_code == 400


def test_throttle_refuses_the_extra_call(app, client, auth):
    app.config["THROTTLE_DEFAULT_LIMIT"] = 2
    headers = {"Authorization": f"Bearer {auth.token()}"}
    statuses = [client.post("/api/items", json={"title": "T", "url": "https://t.example/"}, headers=headers).status_code
                for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_csv_export_is_streamed(client):
    response = client.get("/api/items/export.csv?tag=wsgi")
    assert "Content-Length" not in response.headers  # a generator's length is unknown until it ends
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines == ["id,title,url,tags,status", "2,PEP 3333,https://peps.python.org/pep-3333/,python wsgi,unread"]
