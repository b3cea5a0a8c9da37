"""Lesson 8 checks: SQLite on g, schema.sql, parameterised and committed queries, CLI commands.

Every check's app gets a new, empty folder for its database (``DATABASE = "{tmp}/shelf.sqlite"`` in
course.toml), so each one starts from the three starter items. Several checks read that file with a
connection of their own: only what the app committed is there.
"""

from grader import check, expect, fail
from grader.remote import CliResult

ITEM = "li.item"
STARTERS = ["Flask docs", "PEP 3333", "Jinja docs"]
READ_FILE = "reading the file DATABASE names with a new sqlite3 connection"
IN_PROCESS = "in your app's process: "


def raised_text(raised):
    """An exception the student's code raised during a CLI command, on one line, with where it was."""
    if raised is None:
        return ""
    if isinstance(raised, str):
        return f", after raising {raised}"
    text = f", after raising {raised['type']}: {raised['message']}"
    if raised.get("frames"):
        frame = raised["frames"][-1]
        text += f" (at {frame['file']}:{frame['line']}: {frame['code']})"
    return text


def command_ran(result, command, message, note=None):
    """``flask <command>`` ended with exit code 0 and printed ``message``."""
    if result.exit_code == 0 and message in result.output:
        return
    output = " ".join(result.output.split()) or "nothing"
    got = f"exit code {result.exit_code}{raised_text(result.raised)}; printed: {output}"
    if note is None and "No such command" in result.output:
        note = ("The app does not know the command. A function decorated with @click.command(...) is only a "
                "command of the app once it is registered: app.cli.add_command(...) in commands.init_app(app), "
                "and create_app() calls commands.init_app(app).")
    elif note is None and "No such option" in result.output:
        note = ("The command has no such option. @click.option(\"--count\", ...) declares one; an @click.argument "
                "is given without a name (flask seed 5), so --count is unknown to it.")
    elif note is None and result.exit_code == 0:
        note = f"The command ran, but printed something else: end it with click.echo(\"{message}\")."
    fail(f"exit code 0 and the output {message!r}", got=got, sent=command, note=note)


def titles(rows):
    return [row[1] for row in rows["items"]]


def rows_in_words(rows):
    if rows.get("missing"):
        return "there is no such file: nothing has been written to the database DATABASE names"
    if "error" in rows:
        return f"reading it failed with {rows['error']}"
    shown = ", ".join(f"{row[0]}: {row[1]!r}" for row in rows["items"])
    return f"{len(rows['items'])} item row(s)" + (f": {shown}" if shown else "")


def read_rows(app, expected, after):
    """The rows committed to the app's database file, ``after`` some request or command; fail, saying
    ``expected``, if there are none to read."""
    rows = app.probe("rows")
    if rows.get("missing"):
        fail(expected, got=rows_in_words(rows), sent=f"{READ_FILE}, after {after}",
             note="Either the store still keeps its items in memory (its methods must run SQL through get_db(): "
                  "task 4), or get_db() connects to another file than the one current_app.config[\"DATABASE\"] "
                  "names.")
    if "error" in rows:
        fail(expected, got=rows_in_words(rows), sent=f"{READ_FILE}, after {after}",
             note="The file is there, but has no table item with the columns id, title and url: get_db() runs "
                  "init_db() (schema.sql) when the file is new.")
    return rows


def require_database(app, after):
    """This check is about SQL: stop early, and say so, while the items are not in the database."""
    read_rows(app, "the three starter items in the database file that DATABASE names (task 4): this check "
                   "tests queries that run in SQL", after)


def teardown_note(where):
    if "close_db" in where["teardown_request"]:
        return ("close_db is registered with teardown_request: it runs only at the end of a request, but "
                "flask init-db, scripts and tests use app contexts without any request. Register it with "
                "app.teardown_appcontext(close_db): every request has an app context too.")
    if "close_db" in where["teardown_appcontext"]:
        return ("close_db is registered with teardown_appcontext, so it runs, but the connection stays open: "
                "close_db() must take it off g (db = g.pop(\"db\", None)) and call db.close() when there was one.")
    registered = ", ".join(where["teardown_appcontext"]) or "none"
    return (f"The app's teardown_appcontext functions: {registered}. Register close_db there, in db.init_app(app) "
            "(app.teardown_appcontext(close_db)), call db.init_app(app) in create_app(), and make close_db() "
            "pop the connection from g and close it.")


@check(points=2, hints=[
    ("In shelf/db.py, get_db() opens sqlite3.connect(current_app.config[\"DATABASE\"]) the first time it is "
     "called in an app context, keeps it in g.db, and returns g.db ever after. See lesson 8, \"One connection per "
     "app context\"."),
    ("close_db() takes the connection off g (g.pop(\"db\", None)) and closes it. db.init_app(app) registers it "
     "with app.teardown_appcontext(close_db), and create_app() calls db.init_app(app)."),
    ("Right after connecting: g.db.row_factory = sqlite3.Row (so that row[\"title\"] works) and "
     "g.db.execute(\"PRAGMA foreign_keys = ON\")."),
])
def test_get_db_per_app_context(app):
    """get_db() gives one connection per app context (rows by column name, foreign keys on), closed when the context ends"""
    result = app.probe("connection_lifecycle")
    sent = IN_PROCESS + "with app.app_context(): get_db() twice; then get_db() in a second app context"
    if "error" in result:
        note = None
        if "NotImplementedError" in result["error"] or "ImportError" in result["error"]:
            note = "Write get_db() in shelf/db.py (task 2)."
        elif "Working outside of application context" in result["error"]:
            note = "get_db() is called inside an app context here; does it use an app made elsewhere?"
        fail("get_db(), from shelf/db.py, to return a sqlite3 connection", got=f"it raised {result['error']}",
             sent=sent, note=note)
    if result["type"] != "Connection":
        fail("get_db() to return a sqlite3.Connection", got=f"it returned a {result['type']}", sent=sent,
             note="Return the connection itself, sqlite3.connect(...), kept in g.db.")
    if not result["same"]:
        fail("both calls in one app context to return the same connection", got="two different connections",
             sent=sent, note="Open the connection only when g has none yet: if \"db\" not in g: g.db = "
                             "sqlite3.connect(...); then return g.db. A request that calls get_db() five times "
                             "must not open five connections.")
    if not result["next_is_new"]:
        fail("a new connection in the second app context", got="get_db() returned the first context's connection",
             sent=sent, note="The connection must live on g, which belongs to one app context. A connection "
                             "kept at module level is shared by every request, every thread and every app.")
    row = result["row"]
    if row["type"] != "Row" or "error" in row["by_name"]:
        fail("rows that are sqlite3.Row, so that row[\"title\"] works",
             got=f"a row is a {row['type']}" + (f"; row[\"title\"] raised {row['by_name']['error']}"
                                                if "error" in row["by_name"] else ""),
             sent=sent + ", then get_db().execute(\"SELECT 'Flask docs' AS title\").fetchone()",
             note="Set g.db.row_factory = sqlite3.Row right after connecting.")
    if result["foreign_keys"] != 1:
        fail("PRAGMA foreign_keys to be 1 (on) on the connection",
             got=f"PRAGMA foreign_keys is {result['foreign_keys']}",
             sent=sent + ", then PRAGMA foreign_keys",
             note="SQLite ignores REFERENCES ... ON DELETE CASCADE unless each new connection runs "
                  "PRAGMA foreign_keys = ON: deleting an item would leave its tags behind.")
    after = result["after"]
    if "error" not in after or "closed" not in after["error"]:
        fail("the connection to be closed once its app context has ended: using it raises "
             "sqlite3.ProgrammingError: Cannot operate on a closed database.",
             got="it still answered a query" if "error" not in after else f"it raised {after['error']}",
             sent=sent + ", and a query on the first connection after its context ended",
             note=teardown_note(result["where"]))


@check(points=1, fresh_app=True, hints=[
    ("get_db() connects to current_app.config[\"DATABASE\"], read when the connection is opened; create_app() "
     "gives it a default, os.path.join(app.instance_path, \"shelf.sqlite\"), before test_config is applied. See "
     "lesson 8, \"The DATABASE setting\"."),
    ("sqlite3.connect() creates a missing file, empty. get_db() checks os.path.exists(path) before connecting, "
     "and runs init_db() when the file is new: a new database starts with its tables and the 3 starter items."),
    ("Nothing may remember a path or a connection at module level: two apps with different DATABASE settings "
     "use two different files."),
])
def test_database_setting(app, client):
    """Each app keeps its items in the file its DATABASE setting names (instance/shelf.sqlite by default); a new file starts with the 3 starter items"""
    expect(client.get("/api/items/1")).status(200)
    first = read_rows(app, "the app's DATABASE file to hold the 3 starter items once a request has read them",
                      "GET /api/items/1")
    if titles(first) != STARTERS:
        fail(f"the starter items {', '.join(STARTERS)} in the app's new database", got=rows_in_words(first),
             sent=READ_FILE + ", after GET /api/items/1",
             note="When get_db() creates a new file, it runs init_db(): schema.sql makes the tables and inserts "
                  "the three starter items.")
    item = {"title": "Only in other.sqlite", "url": "https://sqlite.org/"}
    result = app.probe("second_database", item)
    sent = (IN_PROCESS + "a second app, create_app({\"TESTING\": True, \"DATABASE\": \"other.sqlite\"}) with "
            "other.sqlite next to the first app's database, then, in its app context, "
            f"get_store().add({item['title']!r}, {item['url']!r})")
    if "error" in result:
        fail("create_app() to build the second app", got=f"it raised {result['error']}", sent=sent)
    if not result["config"]:
        fail("the second app's DATABASE to be the path test_config gave", got="another path", sent=sent,
             note="Set DATABASE's default in app.config.from_mapping(...) before test_config is applied, so "
                  "that test_config can override it.")
    if "error" in result["saved"]:
        fail("the second app's store to save the item", got=f"it raised {result['saved']['error']}", sent=sent)
    other = result["other"]
    if other.get("missing") or "error" in other:
        elsewhere = [name for key, name in (("first", "the first app's file"), ("instance", "instance/shelf.sqlite"))
                     if "items" in result[key] and item["title"] in titles(result[key])]
        fail("the second app's items in other.sqlite", got=rows_in_words(other) + (
             f"; the item went to {' and '.join(elsewhere)}" if elsewhere else ""), sent=sent + "; " + READ_FILE,
             note="get_db() must connect to current_app.config[\"DATABASE\"], the setting of the app handling "
                  "the request, each time it opens a connection: not a path written in the code, nor one "
                  "read once at import.")
    if titles(other)[:3] != STARTERS:
        fail(f"a new database file to start with the 3 starter items: {', '.join(STARTERS)}",
             got=f"other.sqlite holds {rows_in_words(other)}", sent=sent + "; " + READ_FILE,
             note="get_db() runs init_db() when the file did not exist before it connected.")
    if item["title"] not in titles(other):
        fail(f"the row {item['title']!r} in other.sqlite", got=rows_in_words(other), sent=sent + "; " + READ_FILE,
             note="The item is not committed: call db.commit() after the INSERT.")
    first = read_rows(app, "the first app's database to be readable", "the second app saved its item")
    if item["title"] in titles(first) or result["first_app"] == 200:
        fail(f"the first app not to have {item['title']!r}: only the second app saved it",
             got="the first app's database has it too", sent=sent + "; then GET /api/items/<its id> on the first app",
             note="Both apps write to the same file. get_db() must use current_app.config[\"DATABASE\"].")
    default = app.probe("default_database")
    sent = IN_PROCESS + "create_app({\"TESTING\": True}), with no DATABASE in test_config"
    if "error" in default:
        fail("create_app() to build an app", got=f"it raised {default['error']}", sent=sent)
    if default["database"] != default["expected"]:
        fail(f"DATABASE to be {default['expected']} by default", got=f"DATABASE is {default['database']}", sent=sent,
             note="Give DATABASE its default in app.config.from_mapping(...): os.path.join(app.instance_path, "
                  "\"shelf.sqlite\"). The instance folder holds this copy's data, out of git.")
    if not default["folder_exists"]:
        fail("the instance folder to exist once create_app() has returned", got="it does not", sent=sent,
             note="sqlite3.connect() creates the database file, not its folder: on a fresh checkout the first "
                  "query fails with \"unable to open database file\". Call os.makedirs(app.instance_path, "
                  "exist_ok=True) in create_app().")


@check(points=2, hints=[
    "Store.add() runs an INSERT through get_db() and then calls get_db().commit(). See lesson 8, \"Committing\".",
    ("sqlite3 opens a transaction before an INSERT, UPDATE or DELETE. Until commit(), only the same connection "
     "sees the change; close_db() closes the connection at the end of the request, and what was not committed "
     "is rolled back."),
])
def test_new_items_are_committed(app, client):
    """An item added with POST /items/new is committed: a new connection to the database file sees it"""
    form = {"title": "Transactions", "url": "https://sqlite.org/lang_transaction.html", "tags": "sqlite, sql"}
    expect(client.post("/items/new", data=form)).redirects_to("/items/4")
    rows = read_rows(app, "the new item in the database file, as row 4", "POST /items/new")
    if [4, form["title"], form["url"]] not in rows["items"]:
        fail(f"a row (4, {form['title']!r}, {form['url']!r}) in the table item", got=rows_in_words(rows),
             sent=READ_FILE + ", after POST /items/new",
             note=("The app saw its own INSERT, but nothing else will: without get_db().commit() the row is "
                   "rolled back when close_db() closes the connection.") if len(rows["items"]) == 3 else None)
    expect(client.get("/items/4")).status(200).text_contains("Item 4: Transactions", "sqlite", "sql")


@check(points=2, hints=[
    ("Never put a value into the text of an SQL query: write a ? and pass the values separately, "
     "db.execute(\"... WHERE title LIKE ? ESCAPE '\\\\'\", (pattern,)). See lesson 8, \"Parameterised queries\"."),
    ("In LIKE, % and _ are wildcards. Escape them in the search text (\\% and \\_, and \\ itself as \\\\) and say "
     "ESCAPE '\\' in the query: see lesson 8, \"LIKE and its wildcards\"."),
])
def test_search_is_injection_safe(app, client):
    """Search sends its text as a parameter: ?q=' OR 1=1 -- finds nothing, and % and _ only match themselves"""
    response = client.get("/items/", query_string={"q": "pep"})
    expect(response).status(200).text_contains("PEP 3333").element(ITEM, count=1)
    require_database(app, response.sent)
    literal = {"title": "100% pure_python", "url": "https://example.com/literal"}
    saved = app.probe("add_item", literal)
    if "error" in saved:
        fail(f"get_store().add({literal['title']!r}, ...) to save the item", got=f"it raised {saved['error']}",
             sent=IN_PROCESS + "saving an item through the app's store, in an app context")
    cases = (
        ({"q": "' OR 1=1 --"}, 0, ("The search text became part of the SQL: title LIKE '%' OR 1=1 --%' is true for "
                                   "every row. Send it as a parameter: \"... LIKE ?\" with the pattern in the "
                                   "tuple of values.")),
        ({"tag": "' OR 1=1 --"}, 0, "The tag became part of the SQL. Send it as a parameter: \"... name = ?\"."),
        ({"q": "%"}, 1, ("In LIKE, % stands for any text, so every title matched. Escape it (\\%) and add "
                         "ESCAPE '\\' to the query.")),
        ({"q": "_"}, 1, ("In LIKE, _ stands for any one character, so every title matched. Escape it (\\_) and add "
                         "ESCAPE '\\' to the query.")),
    )
    for query, wanted, note in cases:
        response = client.get("/items/", query_string=query)
        expect(response).status(200)
        found = len(expect(response).select(ITEM))
        if found != wanted or (wanted and literal["title"] not in expect(response).page_text()):
            fail(f"{wanted} item(s) listed (<li class=\"item\">)" + (f": only {literal['title']!r}" if wanted else ""),
                 got=f"{response.status} · {found} item(s) listed", sent=response.sent,
                 note=note if found > wanted else (
                     f"{literal['title']!r} was saved just before (get_store().add), but not found. With ESCAPE "
                     "'\\' in the query, \\% in the pattern matches a literal %. (If /items/ does not list that item "
                     "at all, Store.add() does not commit.)"))


def delete_form(page):
    """The page's forms that post to /items/3/delete, however their attributes are written."""
    return [form for form in expect(page).select("form")
            if form.get("action") == "/items/3/delete" and (form.get("method") or "").lower() == "post"]


@check(points=2, hints=[
    ("Add @bp.post(\"/<int:item_id>/delete\") to items.py: Store.delete(item_id) runs DELETE FROM item WHERE "
     "id = ? and commits; the view flashes \"Item deleted.\" and redirects to items.index, or aborts with 404 when "
     "there was no such item. See lesson 8, \"Deleting with POST\"."),
    ("items/detail.html gets a form: <form method=\"post\" action=\"{{ url_for('items.delete', item_id=item.id) }}\"> "
     "with a button. A link (GET) must never delete: only POST is allowed on that URL."),
    "cursor.rowcount after the DELETE says how many rows went: 0 means there was no such item.",
])
def test_delete_item(app, client):
    """POST /items/3/delete deletes the item and its tags and redirects to the list; GET there is 405, a missing id 404"""
    page = client.get("/items/3")
    expect(page).status(200).text_contains("Jinja docs")
    if not delete_form(page):
        fail('a form on the item\'s page: <form method="post" action="/items/3/delete">',
             got="forms on the page: " + (", ".join(form.start_tag for form in expect(page).select("form")) or "none"),
             sent=page.sent)
    expect(client.post("/items/3/delete")).redirects_to("/items/")
    expect(client.get("/items/")).status(200).text_contains("Item deleted.").lacks("Jinja docs")
    expect(client.get("/items/3")).status(404)
    rows = read_rows(app, "the database file without item 3", "POST /items/3/delete")
    if 3 in [row[0] for row in rows["items"]]:
        fail("no row with id 3 in the table item", got=rows_in_words(rows), sent=READ_FILE + ", after the delete",
             note="The DELETE was not committed: call get_db().commit() after it.")
    left = [row for row in rows["tags"] or [] if row[0] == 3]
    if left:
        fail("no tag rows left for item 3", got="tag rows: " + ", ".join(f"({r[0]}, {r[1]!r})" for r in left),
             sent=READ_FILE + ", after the delete",
             note="The tag table says REFERENCES item (id) ON DELETE CASCADE, but SQLite only enforces it on a "
                  "connection that ran PRAGMA foreign_keys = ON. Run it in get_db(), right after connecting.")
    for method, path, status, note in (
        ("get", "/items/1/delete", 405, ("A GET must never change anything: browsers prefetch links and crawlers "
                                         "follow them. Accept POST only: @bp.post(\"/<int:item_id>/delete\").")),
        ("post", "/items/99/delete", 404, ("There is no item 99. Store.delete() can tell (cursor.rowcount is 0): "
                                           "then the view calls abort(404) instead of saying it deleted something.")),
    ):
        response = getattr(client, method)(path)
        if response.status_code != status:
            fail(f"status {status}", got=expect(response).summary(), sent=response.sent, note=note)


@check(points=2, fresh_app=True, hints=[
    ("In shelf/commands.py, @click.command(\"init-db\") def init_db_command(): calls init_db() and "
     "click.echo(\"Initialized the database.\"); commands.init_app(app) registers it with "
     "app.cli.add_command(init_db_command). See lesson 8, \"CLI commands\"."),
    ("init_db() runs schema.sql, which drops the tables and makes them again with the starter items. Open it with "
     "current_app.open_resource(\"schema.sql\"): a path relative to the package, not to the folder you run "
     "flask from. See lesson 8, \"The schema: open_resource\"."),
])
def test_init_db_command(app, client, runner):
    """flask init-db says "Initialized the database." and starts over with the 3 starter items, from any folder"""
    item = {"title": "Soon gone", "url": "https://example.com/soon-gone"}
    saved = app.probe("add_item", item)
    if saved.get("id") != 4:
        fail("get_store().add('Soon gone', ...) to save item 4",
             got=f"it raised {saved['error']}" if "error" in saved else f"it saved item {saved['id']}",
             sent=IN_PROCESS + "saving an item through the app's store, in an app context")
    expect(client.get("/items/")).status(200).text_contains("Soon gone")
    command_ran(runner.invoke(args=["init-db"]), "flask init-db (after adding the item 'Soon gone')",
                "Initialized the database.")
    listing = client.get("/items/")
    expect(listing).status(200).lacks("Soon gone").element(ITEM, count=3).text_contains(*STARTERS)
    elsewhere = CliResult(**app.probe("init_db_elsewhere"))
    note = None
    if elsewhere.raised and ("FileNotFoundError" in elsewhere.raised or "unable to open" in elsewhere.raised):
        note = ("A path in your code is relative to the current folder, which is wherever flask is run from. Open "
                "the schema with current_app.open_resource(\"schema.sql\"), relative to the package, and connect "
                "to current_app.config[\"DATABASE\"].")
    command_ran(elsewhere, "flask init-db, run from another folder", "Initialized the database.", note)


@check(points=1, fresh_app=True, hints=[
    ("In shelf/commands.py: @click.command(\"seed\") and @click.option(\"--count\", default=3, "
     "type=click.IntRange(min=0)); the function adds count items with get_store().add(...) and echoes "
     "f\"Seeded {count} items.\". Register it with app.cli.add_command(...). See lesson 8, \"CLI commands\"."),
    ("click checks the option's type before your function runs: --count abc, or -1 with IntRange(min=0), is a "
     "usage error, exit code 2."),
])
def test_seed_command(app, runner):
    """flask seed --count 5 adds 5 items and says "Seeded 5 items."; --count defaults to 3, and abc or -1 is refused"""
    for args, added, total in ((["seed", "--count", "5"], 5, 8), (["seed"], 3, 11)):
        command = "flask " + " ".join(args) + (" (after seed --count 5)" if total == 11 else "")
        command_ran(runner.invoke(args=args), command, f"Seeded {added} items.")
        rows = read_rows(app, f"{total} items in the database: the 3 starter items and the seeded ones", command)
        if len(rows["items"]) != total:
            fail(f"{total} rows in the table item: {added} more", got=rows_in_words(rows),
                 sent=f"{READ_FILE}, after {command}",
                 note=("The command said so, but the file did not change: add the items through the store, "
                       "get_store().add(...), which commits.") if len(rows["items"]) == total - added else None)
    for value in ("abc", "-1"):
        result = runner.invoke(args=["seed", "--count", value])
        if result.exit_code != 2:
            output = " ".join(result.output.split()) or "nothing"
            fail("exit code 2, a usage error: --count takes a whole number, 0 or more",
                 got=f"exit code {result.exit_code}{raised_text(result.raised)}; printed: {output}",
                 sent=f"flask seed --count {value}",
                 note="Give the option type=click.IntRange(min=0): click then refuses the value itself, with a "
                      "clear message, before your function runs.")
