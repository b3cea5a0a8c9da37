"""Lesson 9 checks: accounts, hashed passwords, login_required, owners, a safe ?next= and the session cookie.

The checks that need someone logged in make the account straight in the database (the probe
``add_user``, with a werkzeug hash, as register() would) and then log in through POST /auth/login,
like a browser. Every check's app has a new database and hashes with the fast method
``PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"`` (course.toml).
"""

import re
from urllib.parse import parse_qs, urlsplit

from werkzeug.security import check_password_hash

from grader import check, expect, fail, quote

ANA = "ana_lee"
BO = "bo_chen"
PASSWORD = "correct horse battery"
FAST_HASH = "pbkdf2:sha256:1000"
IN_PROCESS = "in your app's process: "
READ_FILE = "reading the file DATABASE names with a new sqlite3 connection"
WERKZEUG = {"title": "Werkzeug docs", "url": "https://werkzeug.palletsprojects.com/", "tags": "python, wsgi"}
PROTECTED = (("items.create", "/items/new"), ("items.import_urls", "/items/import"),
             ("items.update", "/items/<int:item_id>/edit"), ("items.delete", "/items/<int:item_id>/delete"))
OTHER_SITES = (
    ("https://evil.example/", "https://evil.example/ is another site."),
    ("//evil.example/", ("//evil.example/ is another site: a URL that starts with // keeps only the scheme of "
                         "the page it is on.")),
    ("http:/evil.example/", ("http:/evil.example/ has a scheme other than the page's, and browsers read it as "
                             "http://evil.example/: checking urlsplit(target).netloc alone misses it.")),
    ("/\t/evil.example/", ("/<tab>/evil.example/ becomes //evil.example/: browsers (and urlsplit) drop tabs and "
                           "newlines from URLs, so checking the text with startswith alone misses it.")),
    ("/\\evil.example/", ("/\\evil.example/ is //evil.example/ to a browser, which reads a backslash as a slash: "
                          "refuse any next that holds a backslash.")),
)
FORGOT_WRAPS = ("functools.wraps copies the view's name onto wrapped_view: without @functools.wraps(view), every "
                "protected view is called wrapped_view, and Flask names the endpoints after the functions.")


# --- reading responses ---------------------------------------------------------------------------

def after(response, what):
    """Say in the failure report what happened before this request."""
    response.sent = f"{response.sent} ({what})"
    return response


def page_text(response):
    """The status and the text inside the page's <main> (else its body) as a reader sees it, on one line."""
    mains = expect(response).select("main")
    text = mains[0].text if mains else expect(response).page_text()
    return f"{response.status} · the page says: {quote(text[:300])}" if text else f"{response.status} · an empty page"


def says(response, status, text, note=None):
    """The page has this status and shows ``text``."""
    if response.status_code != status or text not in expect(response).page_text():
        fail(f"status {status} and a page that says {text!r}", got=page_text(response), sent=response.sent, note=note)
    return response


def hrefs(response):
    """Every href in the page, however it is quoted, entities decoded."""
    return [element.get("href") for element in expect(response).select("[href]")]


def form_actions(response):
    """Where the page's forms post to (their action attributes, entities decoded)."""
    return [element.get("action") for element in expect(response).select("form[action]")]


def links_to(response, *urls, note=None):
    found = hrefs(response)
    for url in urls:
        if url not in found:
            fail(f'the page to link to {url} (href="{url}")', got="links in the page: " + (", ".join(found) or "none"),
                 sent=response.sent, note=note)


def input_names(response):
    return [element.get("name") for element in expect(response).select("input[name]")]


def has_inputs(response, *names):
    expect(response).status(200).mimetype("text/html")
    found = input_names(response)
    for name in names:
        if name not in found:
            fail(f'a form with an <input name="{name}">',
                 got="inputs in the page: " + (", ".join(found) if found else "none"), sent=response.sent)


def location_path(response):
    """A redirect's Location as a path when it points at this site (/items/4 or http://localhost/items/4)."""
    parts = urlsplit(response.location or "")
    if parts.scheme or parts.netloc:
        return parts.path if parts.hostname == "localhost" else response.location
    return parts.path


def redirects_to_path(response, path, note=None):
    if response.status_code not in (302, 303) or location_path(response) != path:
        fail(f"a redirect (302 or 303) to {path}", got=expect(response).summary(), sent=response.sent, note=note)
    return response


def comparable(response, username):
    """The page, minus what may rightly differ between two requests: the username typed, and the value of a
    CSRF token (lesson 10), which is new on every page."""
    text = response.get_data(as_text=True).replace(username, "USERNAME")
    return re.sub(r"""<input\b[^>]*\bname\s*=\s*["']csrf_token["'][^>]*>""", "<csrf_token>", text)


def first_difference(one, other):
    """Where two texts part: an excerpt of each, from a little before the first character that differs."""
    at = next((i for i, (a, b) in enumerate(zip(one, other)) if a != b), min(len(one), len(other)))
    start = max(0, at - 40)
    return " ".join(one[start:at + 60].split()), " ".join(other[start:at + 60].split())


# --- accounts ------------------------------------------------------------------------------------

def make_account(app, username):
    """Make an account straight in the database and return its id."""
    result = app.probe("add_user", username, PASSWORD)
    if "error" in result:
        fail(f"an account {username!r} made by the grader in the table user",
             got=f"INSERT INTO user (username, password) VALUES (?, ?) raised {result['error']}",
             sent=IN_PROCESS + "with app.app_context(): an INSERT through get_db(), then commit()",
             note="This check makes its accounts straight in the database, as register() would: schema.sql needs "
                  "the table user with the columns id, username and password (task 1).")
    return result["id"]


def log_in(app, client, username):
    """Make the account, log in with POST /auth/login like a browser, and return the account's id."""
    user_id = make_account(app, username)
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    if response.status_code not in (302, 303):
        fail(f"logging in as {username} to work: a redirect (302 or 303)", got=expect(response).summary(),
             sent=response.sent + f" (the account {username} exists, with that password)",
             note="This check logs in first, so POST /auth/login must work (task 2, the check of logging in). The "
                  "grader makes its accounts with werkzeug's generate_password_hash: your login compares the "
                  "password with check_password_hash(stored_hash, password).")
    return user_id


def read(app, probe, expected, sent):
    """Rows the probe read from the database file; fail, saying ``expected``, if it could not."""
    result = app.probe(probe)
    if "rows" not in result:
        got = "there is no database file yet" if result.get("missing") else f"reading it raised {result['error']}"
        fail(expected, got=got, sent=sent)
    return result["rows"]


def sends_to_login(response, path):
    """The response sends the visitor to /auth/login?next=<path>."""
    note = None
    if response.status_code == 200:
        note = ("The view ran for a visitor who is not logged in. Is @login_required missing, or written above "
                "@bp.route? Decorators apply from the bottom up: @bp.route must register the function that "
                "login_required returns, so it goes on top and @login_required below it.")
    elif response.status_code in (302, 303) and location_path(response) == "/auth/login":
        note = ("login_required must say where the visitor was going: "
                "redirect(url_for(\"auth.login\", next=request.path)).")
    parts = urlsplit(response.location or "")
    if response.status_code not in (302, 303) or parts.path != "/auth/login" or \
            parse_qs(parts.query).get("next") != [path]:
        fail(f"a redirect (302 or 303) to /auth/login?next={path} (or next={path.replace('/', '%2F')})",
             got=expect(response).summary(), sent=response.sent + " (not logged in)", note=note)


# --- the checks ----------------------------------------------------------------------------------

@check(points=2, fresh_app=True, hints=[
    ("Add the table user to schema.sql (id, username TEXT UNIQUE NOT NULL, password TEXT NOT NULL) and a view "
     "register() at /auth/register in shelf/auth.py, whose blueprint create_app() registers. See lesson 9, "
     "\"Registering\"."),
    ("Store generate_password_hash(password, current_app.config[\"PASSWORD_HASH_METHOD\"]), never the password "
     "itself; then flash a message and redirect to url_for(\".login\"). See lesson 9, \"Passwords: store a hash, "
     "never the password\"."),
    ("A taken username makes the INSERT raise sqlite3.IntegrityError (the column is UNIQUE): catch it and show "
     "f\"User {username} is already registered.\" with the status 400, like the two other messages."),
])
def test_register(app, client):
    """POST /auth/register saves the account with a hash of its password and redirects to /auth/login; a missing field or a taken name is a 400 with its message"""
    has_inputs(client.get("/auth/register"), "username", "password")
    response = client.post("/auth/register", data={"username": ANA, "password": PASSWORD})
    redirects_to_path(response, "/auth/login")
    sent = f"{READ_FILE}, after {response.sent}"
    rows = read(app, "users", f"a row for {ANA} in the table user", sent)
    stored = next((row["password"] for row in rows if row["username"] == ANA), None)
    if stored is None:
        fail(f"a row for {ANA} in the table user", got=f"{len(rows)} row(s): {[row['username'] for row in rows]}",
             sent=sent, note="Commit the INSERT: get_db().commit(). What is not committed is rolled back when the "
                             "connection closes at the end of the request.")
    if stored == PASSWORD:
        fail("the column password to hold a hash of the password, not the password", got=f"password = {stored!r}",
             sent=sent, note="Anyone who ever reads the database (a backup, a copy on a laptop, an attacker) would "
                             "read every password, and people use theirs on other sites too. Store "
                             "generate_password_hash(password, ...) instead.")
    if not isinstance(stored, str) or not check_password_hash(stored, PASSWORD):
        fail(f"a hash that check_password_hash(stored, {PASSWORD!r}) accepts", got=f"password = {stored!r}",
             sent=sent, note="Make the hash with werkzeug's generate_password_hash: it is salted and slow on "
                             "purpose. A hash from hashlib (sha256(...).hexdigest()) is neither: equal passwords "
                             "get equal hashes, and billions of guesses a second can be checked against it.")
    method = stored.split("$", 1)[0]
    if method != FAST_HASH:
        fail(f"a hash made with the method that PASSWORD_HASH_METHOD names, here {FAST_HASH}",
             got=f"a hash made with {method}", sent=sent,
             note="Pass the setting as generate_password_hash's second argument: generate_password_hash(password, "
                  "current_app.config[\"PASSWORD_HASH_METHOD\"]). Your app's default is scrypt (slow on purpose); "
                  "tests choose a fast method.")
    refused = (({"username": "", "password": PASSWORD}, "Username is required."),
               ({"username": BO, "password": ""}, "Password is required."),
               ({"username": ANA, "password": "another password"}, f"User {ANA} is already registered."))
    for form, message in refused:
        says(client.post("/auth/register", data=form), 400, message)
    rows = read(app, "users", f"only the account {ANA} in the table user", sent)
    if [row["username"] for row in rows] != [ANA]:
        fail(f"only the account {ANA} in the table user: the three refused forms saved nothing",
             got=f"the usernames in the table: {[row['username'] for row in rows]}",
             sent=f"{READ_FILE}, after the three refused forms")


@check(points=2, fresh_app=True, hints=[
    ("Add login() at /auth/login: look the user up by username, and compare with "
     "check_password_hash(user[\"password\"], password). See lesson 9, \"Logging in\"."),
    ("When the username is unknown or the password wrong, render the very same page: "
     "error=\"Incorrect username or password.\", status 400. Otherwise session.clear(), then session[\"user_id\"] "
     "= user[\"id\"], and redirect to \"/\"."),
    ("load_logged_in_user (@bp.before_app_request) puts the user's row on g.user for every request, and base.html "
     "shows g.user.username and a link to auth.logout, or links to auth.register and auth.login. See lesson 9, "
     "\"Who is logged in: g.user\"."),
])
def test_login(app, client):
    """POST /auth/login with the right password puts user_id in a fresh session and redirects to /; a wrong password and an unknown user get the same 400 page"""
    user_id = make_account(app, ANA)
    links_to(client.get("/"), "/auth/register", "/auth/login",
             note="base.html shows these links when nobody is logged in: {% if g.user %} ... {% else %} ... {% endif %}.")
    has_inputs(client.get("/auth/login"), "username", "password")
    wrong = client.post("/auth/login", data={"username": ANA, "password": "not the password"})
    says(wrong, 400, "Incorrect username or password.")
    unknown = client.post("/auth/login", data={"username": "nobody_here", "password": PASSWORD})
    says(unknown, 400, "Incorrect username or password.",
         note="An unknown username gets the same answer as a wrong password.")
    one, other = (comparable(response, name) for response, name in ((wrong, ANA), (unknown, "nobody_here")))
    if one != other:
        shown = first_difference(one, other)
        fail("the very same page for a wrong password and for an unknown username",
             got=f"a wrong password: …{shown[0]}… / an unknown user: …{shown[1]}…",
             sent=f"{wrong.sent}, then {unknown.sent}",
             note="Any difference (a message, a status, a hidden detail) tells a stranger which usernames have an "
                  "account, and so which ones to try passwords on.")
    expect(client.get("/items/2")).status(200)
    response = after(client.post("/auth/login", data={"username": ANA, "password": PASSWORD}),
                     "after viewing /items/2, which put \"recent\" in the session")
    redirects_to_path(response, "/", note=None if response.status_code != 400 else
                      "The right password was refused. Compare it with check_password_hash(user[\"password\"], "
                      "password): generate_password_hash makes a new salt every time, so two hashes of the same "
                      "password differ, and == between them is never true.")
    session = client.session()
    if session.get("user_id") != user_id:
        fail(f"session[\"user_id\"] == {user_id}, the id of {ANA}'s row", got=f"the session: {session}",
             sent="reading the session after " + response.sent,
             note="Keep only the user's id in the session: session[\"user_id\"] = user[\"id\"].")
    if "recent" in session:
        fail("a fresh session after logging in: nothing from before the login, only user_id",
             got=f"the session: {session}", sent="reading the session after " + response.sent,
             note="Call session.clear() before session[\"user_id\"] = ...: whatever was in the visitor's session "
                  "before (put there by anyone who used that browser) must not carry over into the account.")
    home = after(client.get("/"), f"logged in as {ANA}")
    nav_note = ("base.html shows the username and a link to url_for('auth.logout') when g.user is set. g.user comes "
                "from load_logged_in_user, which reads session[\"user_id\"] and is registered with "
                "@bp.before_app_request, so that it runs for every blueprint's pages.")
    says(home, 200, ANA, note=nav_note)
    links_to(home, "/auth/logout", note=nav_note)


@check(points=1, fresh_app=True, hints=[
    ("Add logout() at /auth/logout (GET and POST): session.clear(), flash(\"Logged out.\", \"info\"), and a "
     "redirect to \"/\". See lesson 9, \"Logging out\"."),
    ("Clear first, then flash: the flashed message lives in the session too, so session.clear() after flash() "
     "throws it away. And session.pop(\"user_id\") with no default raises KeyError when nobody is logged in."),
])
def test_logout(app, client):
    """GET or POST /auth/logout empties the session, flashes "Logged out." and redirects to /, even when nobody is logged in"""
    log_in(app, client, ANA)
    if "user_id" not in client.session():
        fail("session[\"user_id\"] after logging in", got=f"the session: {client.session()}",
             sent=f"reading the session after POST /auth/login as {ANA}",
             note="Logging in must set session[\"user_id\"] (task 2): there is nothing to log out of yet.")
    response = client.get("/auth/logout")
    redirects_to_path(response, "/")
    session = client.session()
    if "user_id" in session:
        fail("no user_id in the session after logging out", got=f"the session: {session}",
             sent="reading the session after " + response.sent,
             note="Empty the session with session.clear(): the browser keeps sending its cookie, and whoever uses "
                  "it next would still be logged in.")
    page = after(client.get("/"), "the page the redirect leads to")
    says(page, 200, "Logged out.",
         note="flash(\"Logged out.\", \"info\") after session.clear(): a message flashed before the clear is "
              "cleared with the rest of the session.")
    redirects_to_path(after(client.get("/auth/logout"), "a second time, already logged out"), "/")
    again = client.post("/auth/login", data={"username": ANA, "password": PASSWORD})
    redirects_to_path(again, "/")
    response = after(client.post("/auth/logout"), f"logged in again as {ANA}")
    redirects_to_path(response, "/", note="Logging out answers POST as well as GET: "
                                          "@bp.route(\"/logout\", methods=[\"GET\", \"POST\"]).")
    if "user_id" in client.session():
        fail("no user_id in the session after POST /auth/logout", got=f"the session: {client.session()}",
             sent="reading the session after " + response.sent)


@check(points=2, fresh_app=True, hints=[
    ("Write login_required(view) in shelf/auth.py: its inner function redirects to url_for(\"auth.login\", "
     "next=request.path) when g.user is None, else calls the view; decorate the inner function with "
     "@functools.wraps(view). See lesson 9, \"login_required: a decorator of your own\"."),
    ("Put @login_required on create, import_urls, update and delete, on the line below @bp.route (or @bp.post): "
     "decorators apply from the bottom up, and the route must register the protected function."),
])
def test_login_required(app, client):
    """Visitors who are not logged in are sent to /auth/login?next=... when they add, import, edit or delete items"""
    by_rule = {route["rule"]: route["endpoint"] for route in app.routes()}
    for endpoint, rule in PROTECTED:
        if by_rule.get(rule) != endpoint and (endpoint != "items.update" or rule in by_rule):
            fail(f"the endpoint {endpoint} at {rule}",
                 got=f"the rule {rule} has the endpoint {by_rule[rule]}" if rule in by_rule else f"no rule {rule}",
                 sent="listing app.url_map",
                 note=FORGOT_WRAPS if by_rule.get(rule, "").endswith("wrapped_view") else None)
    expect(client.get("/items/2")).status(200).text_contains("PEP 3333")
    sends_to_login(client.get("/items/new"), "/items/new")
    form = {"title": "Not logged in", "url": "https://anonymous.example/"}
    sends_to_login(client.post("/items/new", data=form), "/items/new")
    sends_to_login(client.post("/items/import", data={"file": (b"https://anonymous.example/\n", "urls.txt")}),
                   "/items/import")
    sends_to_login(client.post("/items/1/delete"), "/items/1/delete")
    if "/items/<int:item_id>/edit" in by_rule:  # the edit page comes with task 6
        sends_to_login(client.get("/items/1/edit"), "/items/1/edit")
    expect(after(client.get("/api/items/4"), "after the refused form and import")).status(404)
    expect(after(client.get("/items/1"), "after the refused delete")).status(200).text_contains("Flask docs")


@check(points=2, fresh_app=True, hints=[
    ("Logged in, the form works as before, and the item remembers who saved it: get_store().add(..., "
     "owner_id=g.user[\"id\"]), in create() and import_urls(). See lesson 9, \"Owners: 403 and 404\"."),
    ("The column owner_id (schema.sql) holds it: SELECT_ITEMS selects it, _item() puts it in the dict, and "
     "Store.add() and _insert() take an owner_id and INSERT it."),
])
def test_saving_when_logged_in(app, client):
    """Logged in, the form and the import save items that belong to you; the form flashes "Item saved." and redirects to the new item"""
    user_id = log_in(app, client, ANA)
    form_page = after(client.get("/items/new"), f"logged in as {ANA}")
    has_inputs(form_page, "title", "url", "tags")
    says(form_page, 200, "3 items saved")
    says(client.post("/items/new", data={"title": "", "url": "https://kept.example/"}), 400, "Title is required.")
    response = client.post("/items/new", data=WERKZEUG, follow_redirects=True)
    if response.status_code != 200 or response.path != "/items/4":
        fail("the form to redirect to the new item's page, /items/4", got=f"{response.status} at {response.path}",
             sent=response.sent + " (following the redirect)")
    says(response, 200, "Item 4: Werkzeug docs")
    response.sent += " (following the redirect)"
    expect(response).element("div.flash.success", text="Item saved.", count=1)
    urls = b"https://a.example/\nnot a link\nhttps://b.example/page\n"
    imported = after(client.post("/items/import", data={"file": (urls, "urls.txt")}),
                     "the file holds https://a.example/, \"not a link\" and https://b.example/page")
    expect(imported).status(200).json_includes(imported=2)
    rows = read(app, "owners", "the items in the database file, with their owner_id",
                f"{READ_FILE}, after the form and the import")
    owners = {row["id"]: row["owner_id"] for row in rows}
    wanted = {1: None, 2: None, 3: None, 4: user_id, 5: user_id, 6: user_id}
    if owners != wanted:
        shown = ", ".join(f"item {item_id}: {owner}" for item_id, owner in owners.items())
        fail(f"items 4, 5 and 6 owned by {ANA} (owner_id {user_id}), the starter items by nobody (None)",
             got=f"owner_id of {shown}", sent=f"{READ_FILE}, after the form and the import",
             note="create() and import_urls() pass owner_id=g.user[\"id\"] to get_store().add(...), which INSERTs "
                  "it and commits.")
    big = after(client.post("/items/import", data={"file": (b"x" * 65 * 1024, "big.txt")}), "a 65 KiB file")
    expect(big).status(413).json_includes(error="The request is too large: the limit is 64 KiB.", status=413)


@check(points=3, fresh_app=True, hints=[
    ("Write owned_item(item_id) in items.py: abort(404) when there is no such item, abort(403) when "
     "item[\"owner_id\"] != g.user[\"id\"], else return the item. update() and delete() call it first. See lesson "
     "9, \"Owners: 403 and 404\"."),
    ("Check the owner for every method: a check made only when the edit page is shown (GET) lets anyone POST "
     "the form. The starter items belong to nobody (owner_id None): nobody may change them."),
     "items/detail.html shows the Edit link and the Delete form only when g.user and g.user.id == item.owner_id.",
])
def test_only_the_owner_changes_an_item(app, client):
    """Only an item's owner may edit or delete it: anyone else gets 403 and no Edit or Delete button, a missing item 404"""
    log_in(app, client, ANA)
    form = {"title": WERKZEUG["title"], "url": WERKZEUG["url"], "tags": "wsgi"}
    redirects_to_path(client.post("/items/new", data=form), "/items/4")
    mine = after(client.get("/items/4"), f"as {ANA}, who saved it")
    expect(mine).status(200)
    if "/items/4/delete" not in form_actions(mine):
        fail('a form on the owner\'s page that posts to /items/4/delete', sent=mine.sent,
             got="forms posting to: " + (", ".join(form_actions(mine)) or "none"),
             note="Show the owner <form method=\"post\" action=\"{{ url_for('items.delete', item_id=item.id) }}\">.")
    links_to(mine, "/items/4/edit", note="Show the owner a link to url_for('items.update', item_id=item.id).")
    other = app.test_client()
    log_in(app, other, BO)
    theirs = after(other.get("/items/4"), f"as {BO}, who did not save it")
    expect(theirs).status(200).text_contains("Werkzeug docs")
    offered = [url for url in hrefs(theirs) + form_actions(theirs) if url in ("/items/4/edit", "/items/4/delete")]
    if offered:
        fail("no Edit link and no Delete form for someone who does not own the item",
             got="the page links or posts to " + ", ".join(offered), sent=theirs.sent,
             note="Show them only when g.user and g.user.id == item.owner_id.")
    forbidden = (other.get("/items/4/edit"), other.post("/items/4/edit", data=dict(form, title="Taken over")),
                 other.post("/items/4/delete"), other.post("/items/1/delete"))
    for response in forbidden:
        if response.status_code != 403:
            fail("status 403 Forbidden: the item is not theirs", got=expect(response).summary(),
                 sent=response.sent + f" (as {BO})",
                 note="owned_item() must abort(403) when the item's owner_id is not g.user[\"id\"], for GET and "
                      "POST alike. The starter items, whose owner_id is None, belong to nobody.")
    for response in (other.get("/items/99/edit"), other.post("/items/99/delete")):
        expect(after(response, "there is no item 99")).status(404)
    expect(after(client.get("/api/items/4"), f"after {BO}'s attempts")).status(200).json_includes(title=WERKZEUG["title"])
    edit = client.get("/items/4/edit")
    expect(edit).status(200).element("input[name=title]")
    values = [element.get("value") for element in expect(edit).select("input[name=title]")]
    if WERKZEUG["title"] not in values:
        fail(f'the edit form\'s title box to hold the item\'s title: value="{WERKZEUG["title"]}"',
             got=f"value={values[0]!r}", sent=edit.sent)
    changed = {"title": "Werkzeug", "url": WERKZEUG["url"], "tags": "python, wsgi"}
    redirects_to_path(client.post("/items/4/edit", data=changed), "/items/4")
    expect(after(client.get("/api/items/4"), "after the edit")).status(200).json_includes(
        title="Werkzeug", tags=["python", "wsgi"])
    expect(client.get("/items/4/delete")).status(405)
    redirects_to_path(client.post("/items/4/delete"), "/items/")
    expect(after(client.get("/items/4"), "after the delete")).status(404)


@check(points=2, fresh_app=True, hints=[
    ("Write safe_next(target) in auth.py and redirect to safe_next(request.args.get(\"next\")) or "
     "url_for(\"main.index\"). See lesson 9, \"Where to go after logging in: a safe next\"."),
    ("Accept only a path on this site: it starts with \"/\" but not \"//\", holds no backslash, and "
     "urlsplit(target) has no scheme and no netloc. urlsplit drops tabs and newlines, as browsers do: "
     "\"/\\t/evil.example\" is //evil.example to both."),
    ("The session cookie's flags come from the settings: SESSION_COOKIE_HTTPONLY (True by default) and "
     "SESSION_COOKIE_SAMESITE=\"Lax\" (lesson 7). See lesson 9, \"The session cookie\"."),
])
def test_safe_next(app, client):
    """Logging in honours ?next=/items/2 but never sends you to another site; the session cookie is HttpOnly and SameSite=Lax"""
    log_in(app, client, ANA)
    credentials = {"username": ANA, "password": PASSWORD}
    response = client.post("/auth/login", query_string={"next": "/items/2"}, data=credentials)
    redirects_to_path(response, "/items/2", note="Redirect to the page next names, when it is a path on this site: "
                                                 "request.args.get(\"next\"). The login form posts back to "
                                                 "/auth/login?next=..., so it is in request.args.")
    cookie = next((line for line in response.headers.getlist("Set-Cookie") if line.startswith("session=")), None)
    flags = {part.strip().lower() for part in (cookie or "").split(";")[1:]}
    if cookie is None or "httponly" not in flags or "samesite=lax" not in flags:
        fail("Set-Cookie: session=...; HttpOnly; SameSite=Lax", sent=response.sent,
             got=f"Set-Cookie: {cookie}" if cookie else "no session cookie set",
             note="HttpOnly keeps the cookie away from JavaScript, SameSite=Lax off requests that other sites make "
                  "in the visitor's name. Keep SESSION_COOKIE_HTTPONLY at its default and SESSION_COOKIE_SAMESITE=\"Lax\".")
    for target, why in OTHER_SITES:
        response = client.post("/auth/login", query_string={"next": target}, data=credentials)
        redirects_to_path(response, "/",
                          note=f"{why} A link to your login page with such a next would send people who trust your "
                               "site to a copy of it, made to steal their password. Redirect only to a path on this "
                               "site (safe_next), else to \"/\".")


@check(points=1, hints=[
    ("Add an @bp.after_app_request hook in main.py that sets X-Content-Type-Options: nosniff and "
     "Content-Security-Policy: frame-ancestors 'none' on the response, then returns it. See lesson 9, \"Security "
     "headers\"."),
    ("after_app_request, not after_request: the headers belong on every page of the app, static files and "
     "error pages included. Leave Strict-Transport-Security out until lesson 12: it is for HTTPS, in production."),
])
def test_security_headers(client):
    """Every response says X-Content-Type-Options: nosniff and forbids framing (CSP frame-ancestors); no HSTS in development"""
    for path, status in (("/", 200), ("/items/2", 200), ("/api/items/2", 200), ("/static/style.css", 200),
                         ("/nope", 404)):
        response = client.get(path)
        expect(response).status(status).header("X-Content-Type-Options", "nosniff")
        policy = response.headers.get("Content-Security-Policy", "")
        directives = {part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";") if part.strip()}
        frame = directives.get("frame-ancestors", "")
        if frame.split()[1:] not in (["'none'"], ["'self'"]):
            fail("Content-Security-Policy: frame-ancestors 'none' (or 'self'): no other site may show Shelf in a "
                 "frame", got=f"Content-Security-Policy: {policy}" if policy else "no Content-Security-Policy header",
                 sent=response.sent,
                 note="A page shown invisibly in another site's frame can be clicked without the user knowing "
                      "(clickjacking).")
        if "Strict-Transport-Security" in response.headers:
            fail("no Strict-Transport-Security header in development", sent=response.sent,
                 got=f"Strict-Transport-Security: {response.headers['Strict-Transport-Security']}",
                 note="HSTS makes a host HTTPS-only in the browser for as long as max-age says. Over plain "
                      "HTTP, as in development, browsers ignore it: lesson 12 sends it in production only.")


@check(points=1, fresh_app=True, hints=[
    ("The edit form checks the URL like the add form does: item_error(title, url) refuses anything but http:// "
     "and https://. See lesson 9, \"Why javascript: URLs survive autoescaping\"."),
    ("Autoescaping leaves javascript:alert(1) as it is, since it holds no < > & or quotes: in an href, a click "
     "would run it. Only checking the scheme keeps such a link out of Shelf."),
])
def test_edit_refuses_script_urls(app, client):
    """Editing an item refuses a javascript: URL (autoescaping would leave it runnable) with a 400, and keeps the old URL"""
    log_in(app, client, ANA)
    form = {"title": WERKZEUG["title"], "url": WERKZEUG["url"], "tags": "wsgi"}
    redirects_to_path(client.post("/items/new", data=form), "/items/4")
    for url in ("javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>"):
        response = after(client.post("/items/4/edit", data=dict(form, url=url)), f"as {ANA}, who saved item 4")
        says(response, 400, "URL must start with http:// or https://",
             note="Check the new URL with item_error(title, url), as create() does: a link whose scheme is "
                  "javascript: runs its code when it is clicked, escaped or not.")
    expect(after(client.get("/api/items/4"), "after the refused edits")).status(200).json_includes(url=WERKZEUG["url"])
