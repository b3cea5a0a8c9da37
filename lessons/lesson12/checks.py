"""Lesson 12 checks: the student's own test suite, and Shelf ready for a production server.

The suite is graded by running it, in the student's sandboxed process, on three kinds of Shelf: the
student's own (where it must pass, twice over), the reference solution (where it must pass too:
tests must hold for any correct Shelf), and broken copies of the reference, each with one bug from
broken_apps.toml (where at least one test that passes on the reference must fail). The sandbox
cannot see solutions/, so the checks read the reference here and send its files.
"""

import functools
import http.client
import json
from pathlib import Path
from weakref import WeakKeyDictionary

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from grader import check, expect, fail, quote
from grader.authoring import load_mutants
from grader.course import Course
from grader.sandbox import LimitExceeded, StudentError

HERE = Path(__file__).resolve().parent
BROKEN = {broken.name: broken for broken in load_mutants(HERE / "broken_apps.toml")}
FIXTURES = ("app", "client", "runner", "auth")
MIN_TESTS = 8
COMMAND = "python -m pytest -p no:cacheprovider --import-mode=importlib tests"
HEALTHY = {"status": "ok", "db": "ok"}
UNHEALTHY = {"status": "error", "db": "error"}
IN_PROCESS = "in your app's process: "


@functools.cache
def reference() -> dict[str, str]:
    """The reference solution's shelf/ package as {relative path: text}, read once per grading."""
    solution = Course.load(HERE.parents[1]).find(HERE.name).solution
    return {path.relative_to(solution).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted((solution / "shelf").rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts}


def run_tests(app, package=None, **options) -> dict:
    """The student's tests, run by pytest in their process, on ``package`` (None: their own Shelf)."""
    return app.probe("your_tests", package, options)


NEVER_ENDED: WeakKeyDictionary = WeakKeyDictionary()  # submissions whose suite ran out of time on the reference


def on_reference(app) -> dict:
    """The student's tests run on the reference Shelf, once per submission (and for both grader
    processes): the check of task 3 and every check of a bug need these outcomes, the same for all."""
    submission = app.worker.sandbox
    if submission in NEVER_ENDED:  # a suite that never ends: the next checks need not wait for it again
        raise NEVER_ENDED[submission]
    try:
        return submission.remember("tests-on-reference", lambda: run_tests(app, reference()))
    except LimitExceeded as error:
        NEVER_ENDED[submission] = error
        raise


def failed(result, run=0) -> list[tuple[str, str]]:
    """(node id, why) of every test that failed in the first run (``run=1``: the second)."""
    return [(nodeid, outcomes[run]["message"]) for nodeid, outcomes in result["runs"].items()
            if len(outcomes) > run and outcomes[run]["outcome"] == "failed"]


def listing(tests: list[tuple[str, str]], limit: int = 3) -> str:
    """How many tests failed, and the first few with why: "2 failed: tests/test_api.py::test_x: assert …"."""
    shown = [f"{nodeid}: {why}" for nodeid, why in tests[:limit]]
    if len(tests) > limit:
        shown.append(f"… and {len(tests) - limit} more")
    return f"{len(tests)} failed: " + "; ".join(shown)


def require_tests(result, sent) -> None:
    """Stop with a clear failure when pytest could not even collect the student's tests."""
    if result.get("missing"):
        fail("a tests/ folder next to shelf/, with conftest.py and test_*.py files", got="no tests/ folder",
             sent=sent)
    if result["errors"]:
        fail("pytest to import every test file", sent=sent,
             got="; ".join(f"{error['where']}: {error['message']}" for error in result["errors"][:3]),
             note="pytest imports each test_*.py file to collect its tests, and runs none while one of them "
                  "cannot be imported (a typo, a missing import).")
    if result["status"] in (2, 3, 4):  # interrupted, internal error, usage error: nothing ran as it should
        last = [line.strip() for line in result["stderr"].splitlines() if line.strip()][-3:]
        fail("pytest to load your tests and run them", sent=sent,
             got=" / ".join(last) if last else f"pytest stopped with exit code {result['status']}",
             note="An error in tests/conftest.py stops pytest before it collects anything. Run the command "
                  "yourself, from your lesson folder, to see the whole traceback.")
    if not result["tests"]:
        fail("tests for pytest to run", got="pytest collected no tests from tests/", sent=sent,
             note="pytest collects the functions named test_* in files named test_*.py.")


def catches(app, bug: str, note: str) -> None:
    """The student's tests catch ``bug``: one that passes on the reference Shelf fails on the broken one."""
    sent = f"{COMMAND}, on the reference Shelf"
    reference_runs = on_reference(app)
    require_tests(reference_runs, sent)
    good = [nodeid for nodeid, outcomes in reference_runs["runs"].items() if outcomes[0]["outcome"] == "passed"]
    if not good:
        fail("tests that pass on the reference Shelf: only such a test can point at a bug", sent=sent,
             got="none of your tests passes on it", note="Make your tests pass on the reference first (task 3).")
    sent = (f"{COMMAND}, on the reference Shelf with one bug in it ({bug}): the {len(good)} tests that pass on "
            "the reference, up to the first failure")
    result = run_tests(app, BROKEN[bug].edited(reference()), only=good, first_failure=True)
    require_tests(result, sent)
    if not failed(result):
        others = len(reference_runs["runs"]) - len(good)
        fail("at least one of your tests to fail on this broken Shelf", sent=sent, note=note,
             got=f"all {len(good)} of your tests that pass on the reference passed on it too"
                 + (f" ({others} more fail on the reference itself, so they cannot count: see task 3)" if others else ""))


# --- the suite --------------------------------------------------------------------------------

@check(points=2, hints=[
    ("Write tests/conftest.py with the fixtures app (create_app with a test config), client "
    "(app.test_client()), runner (app.test_cli_runner()) and auth (logs in through the real pages). See lesson "
    "12, \"Fixtures: a fresh app for every test\"."),
    ("A test asks for a fixture by naming it as a parameter: def test_logout(client, auth). pytest finds the "
    "fixtures of conftest.py by itself, without an import."),
    "Put each test in a function named test_* in a file named tests/test_*.py; run `" + COMMAND + "` from your "
    "lesson folder to see what pytest collects.",
])
def test_suite_is_collected(app):
    """pytest collects at least 8 tests in tests/, which use the fixtures app, client, runner and auth of tests/conftest.py"""
    sent = f"{COMMAND} --collect-only, on your Shelf"
    result = run_tests(app, collect_only=True)
    require_tests(result, sent)
    wrong = {name: result["fixtures"].get(name) for name in FIXTURES
             if result["fixtures"].get(name) != "tests/conftest.py"}
    if wrong:
        fail("tests that use the fixtures " + ", ".join(FIXTURES) + ", defined in tests/conftest.py", sent=sent,
             got="; ".join(f"no test uses a fixture named {name}" if where is None else f"{name} comes from {where}"
                           for name, where in wrong.items()),
             note="Every test that needs Shelf asks for client (or app); the tests of the flask commands ask for "
                  "runner; the tests that need an account ask for auth. Fixtures shared by several test files "
                  "belong in tests/conftest.py.")
    count = len(result["tests"])
    if count < MIN_TESTS:
        fail(f"at least {MIN_TESTS} tests, across accounts, items, the API and the commands", sent=sent,
             got=f"{count} test{'s' if count != 1 else ''}: " + ", ".join(result["tests"]))


@check(points=2, hints=[
    "Run `" + COMMAND + "` from your lesson folder: pytest shows each failure in full. See lesson 12, "
    "\"Fixtures: a fresh app for every test\".",
    ("If the tests pass once but fail the second time, they share something: a database file, an app, a "
    "module-level variable. The app fixture builds a new app for every test, with DATABASE under tmp_path."),
])
def test_suite_passes_on_your_app(app):
    """Your tests pass on your own Shelf, and pass again when the suite runs a second time in reverse order"""
    sent = f"{COMMAND}, on your Shelf: every test, then every test again in reverse order, in one session"
    result = run_tests(app, twice=True)
    require_tests(result, sent)
    first = failed(result)
    if first:
        fail("every test to pass on your own Shelf", got=listing(first), sent=sent,
             note="Read the assertion that failed: either the test expects something Shelf does not do, or it "
                  "found a bug in your Shelf. An id or a count that is off (/items/6 instead of /items/4) means "
                  "that tests share a database.")
    second = failed(result, run=1)
    if second:
        fail("every test to pass again, run a second time in reverse order", got=listing(second), sent=sent,
             note="They passed the first time, so they depend on what other tests left behind. Give every test "
                  "its own app and its own database: a function-scoped app fixture with DATABASE under "
                  "tmp_path, which pytest makes new for each test.")


@check(points=2, hints=[
    ("Test what the lessons ask of Shelf, which any correct Shelf does. See lesson 12, \"Tests that catch "
    "bugs\"."),
    ("The failing assertion says what the test relies on: a message worded your way, an extra field or page, "
    "an id that depends on the order your tests ran in. Test the behaviour the lessons specify instead."),
])
def test_suite_passes_on_the_reference(app):
    """Your tests pass on the reference Shelf too: they test what the lessons ask of Shelf, not details of yours"""
    sent = f"{COMMAND}, on the reference solution's Shelf in place of yours"
    result = on_reference(app)
    require_tests(result, sent)
    wrong = failed(result)
    if wrong:
        fail("every test to pass on the reference Shelf", got=listing(wrong), sent=sent,
             note="A test that fails on a correct Shelf reports a bug that is not there. If it fails on your own "
                  "Shelf too, fix that first (the check before this one); if not, the test relies on something "
                  "only your version does.")


# --- the bugs the suite must catch (broken_apps.toml) -----------------------------------------

@check(points=1, hints=[
    ("Test that a visitor who is not logged in cannot reach the pages that change items. See lesson 12, "
    "\"Tests that catch bugs\"."),
    ("GET /items/new (and a POST to it) without logging in must redirect to the login page: assert the "
    "status and that the Location starts with /auth/login."),
])
def test_catches_create_without_login(app):
    """Your tests catch a broken Shelf: the form to add an item no longer needs a login"""
    catches(app, "the form to add an item no longer needs a login",
            "On the broken Shelf, GET /items/new shows the form to anyone (200). A test that only ever logs in "
            "first cannot see that.")


@check(points=1, hints=[
    ("Test the status code of a successful POST /api/items, not only its JSON. See lesson 12, \"Tests that "
    "catch bugs\"."),
    ("Get a token (POST /api/tokens with Basic auth), create an item with it, and assert status 201 and a "
    "Location header."),
])
def test_catches_api_200(app):
    """Your tests catch a broken Shelf: POST /api/items answers 200 instead of 201 Created"""
    catches(app, "POST /api/items answers 200 instead of 201 Created",
            "The broken API saves the item and returns it, with the status 200 OK. A test that checks the JSON "
            "alone, or accepts any 2xx, does not notice.")


@check(points=1, hints=[
    ("Test what logging out is for: afterwards, the user is logged out. See lesson 12, \"Looking inside: "
    "the session\"."),
    ("With `with client:`, log in, log out, then assert \"user_id\" not in session. Or, after logging out, "
    "check that GET /items/new sends you to the login page again."),
])
def test_catches_logout_keeping_the_session(app):
    """Your tests catch a broken Shelf: logging out leaves the user logged in"""
    catches(app, "logging out leaves the user logged in",
            "The broken logout still redirects and flashes \"Logged out.\": a test that checks only the "
            "redirect passes. The bug is in what is left in the session.")


@check(points=1, hints=[
    ("Test the search with a query that finds some items and not others, and check which. See lesson 12, "
    "\"Tests that catch bugs\"."),
    ("GET /items/?q=pep must list \"PEP 3333\" and not \"Flask docs\": assert on the page's content, a part "
    "of a title, not only the status."),
])
def test_catches_search_without_wildcards(app):
    """Your tests catch a broken Shelf: the search finds whole titles only (LIKE without the % wildcards)"""
    catches(app, "the search finds whole titles only (LIKE without the % wildcards)",
            "The broken search still answers 200 with the list page; it just finds nothing for part of a title. "
            "A test must search for a part of a title and look for the item in the page.")


@check(points=1, hints=[
    ("Test the throttle at its limit: the calls up to the limit succeed, the next one gets 429. See lesson "
    "12, \"Tests that catch bugs\"."),
    ("Set a small limit in the test (app.config[\"THROTTLE_DEFAULT_LIMIT\"] = 2), make three calls to POST "
    "/api/items with a token, and assert the statuses are exactly [201, 201, 429]."),
])
def test_catches_throttle_off_by_one(app):
    """Your tests catch a broken Shelf: the throttle lets one call too many through"""
    catches(app, "the throttle lets one call too many through",
            "With a limit of N, the broken throttle allows N + 1 calls and refuses the next. A test that makes "
            "many calls and only checks that some 429 came back does not notice: count exactly.")


@check(points=1, hints=[
    ("Test that a new item is still there in a later request, not only that saving it redirected. See lesson "
    "12, \"Tests that catch bugs\"."),
    ("After posting the form (or the API), GET the new item's page and find its title, or open the DATABASE "
    "file with a new sqlite3 connection and look for the row."),
])
def test_catches_uncommitted_items(app):
    """Your tests catch a broken Shelf: a new item is never committed to the database"""
    catches(app, "a new item is never committed to the database",
            "The broken Shelf answers exactly as before, even with the new item's JSON: the item is lost only "
            "when the request's connection closes. Only a later request (or another connection) sees that.")


@check(points=1, hints=[
    ("Test Shelf with two users: the second must not change what the first one saved. See lesson 12, "
    "\"Logging in from a test: the auth fixture\"."),
    ("Register and log in as one user, save an item, log out; register and log in as another, and assert "
    "that POST /items/<id>/delete (or the edit page) answers 403."),
])
def test_catches_missing_owner_check(app):
    """Your tests catch a broken Shelf: any logged-in user may edit or delete anyone's item"""
    catches(app, "any logged-in user may edit or delete anyone's item",
            "Everything works on the broken Shelf for the item's owner: a test that only ever uses one "
            "account cannot tell.")


@check(points=1, hints=[
    ("Test that flask init-db starts over: add an item first, run runner.invoke(args=[\"init-db\"]), then count "
    "the items. See lesson 12, \"Testing commands\"."),
    ("On a fresh database, \"3 items after init-db\" holds even when init-db does nothing: save a fourth item "
    "(in an app context, or through the API) before you run the command, and assert it is gone."),
])
def test_catches_init_db_doing_nothing(app):
    """Your tests catch a broken Shelf: flask init-db says "Initialized the database." and keeps every item"""
    catches(app, "flask init-db says it started over, and keeps every item",
            "The broken command exits with 0 and prints the right message: a test that checks only the exit "
            "code and the output passes. The bug is in what is left in the database.")


@check(points=1, hints=[
    ("Test that flask seed --count N adds exactly N items. See lesson 12, \"Testing commands\"."),
    ("runner.invoke(args=[\"seed\", \"--count\", \"2\"]), then count the items in an app context: 3 + 2. Pick a "
    "count other than 3, the default, or a seed that ignores --count still passes."),
])
def test_catches_seed_ignoring_count(app):
    """Your tests catch a broken Shelf: flask seed ignores --count and always adds three items"""
    catches(app, "flask seed ignores --count and always adds three items",
            "The broken seed always adds 3 items (and still says \"Seeded 2 items.\"): count the items after "
            "the command, with a --count other than 3.")


# --- deployment -------------------------------------------------------------------------------

@check(points=1, hints=[
    ("Add a view for GET /healthz that runs a tiny query and returns {\"status\": \"ok\", \"db\": \"ok\"}. See "
    "lesson 12, \"Health checks\"."),
    ("In shelf/main.py: @bp.get(\"/healthz\"), then get_db().execute(\"SELECT 1 FROM item LIMIT 1\") and return "
    "the dict: Flask turns it into JSON."),
])
def test_healthz(client):
    """GET /healthz answers 200 with the JSON {"status": "ok", "db": "ok"}"""
    expect(client.get("/healthz")).status(200).json(HEALTHY)


@check(points=1, config={"DATABASE": "{tmp}"}, hints=[
    ("When the database cannot be reached, /healthz must say so with 503 Service Unavailable. See lesson 12, "
    "\"Health checks\"."),
    ("Put both get_db() and the query inside try: ... except sqlite3.Error: return {\"status\": \"error\", "
    "\"db\": \"error\"}, 503. Opening the connection is what fails when the file cannot be opened."),
])
def test_healthz_without_database(app, client):
    """GET /healthz answers 503 with {"status": "error", "db": "error"} when the database cannot be opened"""
    if "/healthz" not in {route["rule"] for route in app.routes()}:
        fail("a route for GET /healthz (task 5)", got="your app has no /healthz route", sent="listing your app's routes")
    sent = "GET /healthz, with DATABASE set to a folder, which SQLite cannot open as a database file"
    try:
        response = client.get("/healthz")
    except StudentError as error:
        fail("503 with the JSON " + json.dumps(UNHEALTHY), sent=sent,
             got=f"your view raised {error.info.get('type')}: {error.info.get('message')}",
             note="The error escaped the view, so a monitor would get a 500 page. get_db() opens the "
                  "connection, and that is what fails here: call it inside the try.")
    if response.status_code == 200 and response.get_json(silent=True) == HEALTHY:
        fail("503 with the JSON " + json.dumps(UNHEALTHY), got=expect(response).summary(), sent=sent,
             note="/healthz says all is well without asking the database: run a query inside it, and answer "
                  "503 when sqlite3 raises.")
    expect(response).status(503).json(UNHEALTHY)


@check(points=2, hints=[
    ("create_app() already reads FLASK_* variables (lesson 7); after them, refuse to go on in production with "
    "the development key or debug mode. See lesson 12, \"Settings from the environment\"."),
    ("After the test_config is applied: if app.config.get(\"PRODUCTION\"): check that SECRET_KEY is not "
    "\"dev\" and that app.debug is off, and raise RuntimeError(...) with a message that says what to set."),
    ("In production, also set app.config[\"SESSION_COOKIE_SECURE\"] = True: the session cookie then travels "
    "over HTTPS only. Refuse to start without TRUSTED_HOSTS, and add Strict-Transport-Security to the "
    "security headers when PRODUCTION is set."),
])
def test_production_settings(app):
    """FLASK_SECRET_KEY=abc gives secret_key "abc"; with FLASK_PRODUCTION=true, create_app() refuses the dev key, debug mode and no TRUSTED_HOSTS, and sends HSTS"""
    result = app.probe("production_apps")
    sent = "create_app() with FLASK_SECRET_KEY=abc in the environment"
    built = result["key"]
    if built["raised"]:
        fail("create_app() to build the app", got=f"it raised {built['raised']}: {built['message']}", sent=sent)
    if built["secret_key"] != "abc":
        fail("app.secret_key == 'abc'", got=f"app.secret_key == {built['secret_key']!r}", sent=sent,
             note="app.config.from_prefixed_env() turns FLASK_SECRET_KEY into SECRET_KEY: call it in "
                  "create_app() after the defaults (lesson 7).")
    if built["hsts"] is not None:
        fail("no Strict-Transport-Security header outside production", sent=sent + ", then GET /healthz",
             got=f"Strict-Transport-Security: {built['hsts']}",
             note="Send HSTS only when app.config.get(\"PRODUCTION\") is true: it makes the host HTTPS-only in "
                  "the browser for as long as max-age says.")
    refusals = (
        ("no_key", "create_app() with FLASK_PRODUCTION=true and no FLASK_SECRET_KEY (so SECRET_KEY is still \"dev\")",
         "Anyone who knows the development key can sign a session cookie that says they are any user."),
        ("debug", "create_app() with FLASK_PRODUCTION=true, a real FLASK_SECRET_KEY and FLASK_DEBUG=true",
         "The debugger in the error pages runs any Python code it is sent: never on a server."),
        ("no_hosts", "create_app() with FLASK_PRODUCTION=true, a real FLASK_SECRET_KEY and no FLASK_TRUSTED_HOSTS",
         "Without TRUSTED_HOSTS, Shelf answers any Host header a client makes up, and builds its external links "
         "(url_for(..., _external=True)) from it."),
    )
    for case, sent, why in refusals:
        built = result[case]
        if built["raised"] is None:
            fail("create_app() to raise RuntimeError and not build the app", sent=sent,
                 got=f"it built the app (secret_key {built['secret_key']!r}, debug {built['debug']})",
                 note=f"{why} from_prefixed_env() turns FLASK_PRODUCTION=true into app.config[\"PRODUCTION\"] == "
                      "True: check it after every layer of settings.")
        if built["raised"] != "RuntimeError":
            fail("create_app() to raise RuntimeError", got=f"it raised {built['raised']}: {built['message']}",
                 sent=sent)
    ready = result["ready"]
    sent = ("create_app() with FLASK_PRODUCTION=true, a real FLASK_SECRET_KEY and "
            "FLASK_TRUSTED_HOSTS='[\"shelf.example\"]'")
    if ready["raised"]:
        fail("create_app() to build the app: the settings are right for production", sent=sent,
             got=f"it raised {ready['raised']}: {ready['message']}")
    if ready["secure_cookie"] is not True:
        fail("app.config[\"SESSION_COOKIE_SECURE\"] == True in production", sent=sent,
             got=f"app.config[\"SESSION_COOKIE_SECURE\"] == {ready['secure_cookie']!r}",
             note="A secure cookie is only sent over HTTPS, so the session cannot leak over plain HTTP.")
    if ready["own_host"] != 200 or ready["other_host"] != 400:
        fail("GET https://shelf.example/healthz answered (200) and GET https://evil.example/healthz refused (400)",
             sent=sent + ", then GET /healthz with each Host",
             got=f"status {ready['own_host']} for shelf.example, {ready['other_host']} for evil.example",
             note="Flask checks the Host header against app.config[\"TRUSTED_HOSTS\"] by itself: keep the value "
                  "FLASK_TRUSTED_HOSTS gives, a JSON list of host names.")
    if not (ready["hsts"] or "").lower().startswith("max-age="):
        fail("Strict-Transport-Security: max-age=31536000 on every response in production", sent=sent +
             ", then GET https://shelf.example/healthz",
             got=f"Strict-Transport-Security: {ready['hsts']}" if ready["hsts"] else "no Strict-Transport-Security "
                 "header",
             note="In the security-headers hook of lesson 9: if current_app.config.get(\"PRODUCTION\"), add it.")


@check(points=1, hints=[
    ("Sign API tokens with a list of keys: the old ones of SECRET_KEY_FALLBACKS first, the current SECRET_KEY "
    "last. See lesson 12, \"Rotating the secret key\"."),
    ("fallbacks = current_app.config[\"SECRET_KEY_FALLBACKS\"] or [], then URLSafeTimedSerializer([*fallbacks, "
    "current_app.secret_key], salt=...): itsdangerous signs with the last key and accepts any of them."),
])
def test_key_rotation(app):
    """After a key change, a token signed with the old key still works while it is in SECRET_KEY_FALLBACKS; new tokens use the new key"""
    result = app.probe("rotated_key_tokens")
    sent = (IN_PROCESS + 'a token from an app with SECRET_KEY "old-key", then POST /api/items with it on an app with '
            'SECRET_KEY "new-key" and SECRET_KEY_FALLBACKS ["old-key"]')
    if "error" in result:
        fail("create_app() to build the apps", got=f"it raised {result['error']}", sent=sent)
    if not (result["old_token"] and result["new_token"]):
        fail("POST /api/tokens to give a token on each app (lesson 11)", sent=sent,
             got="no token from the app with the " + ("old" if not result["old_token"] else "new") + " key")
    if result["old_on_new"] != 201:
        fail("201 Created: the old key is still accepted while it is in SECRET_KEY_FALLBACKS", sent=sent,
             got=f"status {result['old_on_new']}",
             note="Flask's session cookie already honours SECRET_KEY_FALLBACKS; your tokens are signed by your own "
                  "serializer, which must be given the fallbacks too, or every user's token dies with the old key.")
    if result["new_on_newest"] != 201:
        fail("201 Created: a token made after the change is signed with the new key", got=f"status "
             f"{result['new_on_newest']}",
             sent=IN_PROCESS + 'a token from the app with "new-key" and the fallback, then POST /api/items with it on '
                  'an app that knows "new-key" only',
             note="itsdangerous signs with the LAST key of the list: put the current secret_key last, after the "
                  "fallbacks.")


@check(points=1, hints=[
    ("Write pyproject.toml next to shelf/: a [project] table (name, version, dependencies) and a "
    "[build-system] table (requires, build-backend). See lesson 12, \"Making Shelf installable\"."),
    ("dependencies lists what Shelf imports and Python does not have: \"flask\" and \"flask-wtf\". With "
    "build-backend = \"flit_core.buildapi\" (requires = [\"flit_core>=3.4,<5\"]), the name must be the package's, "
    "shelf."),
])
def test_installable(app):
    """pyproject.toml makes Shelf installable: a name, a version, its dependencies (flask, flask-wtf) and a build backend"""
    result = app.probe("project_file")
    sent = "reading pyproject.toml, next to shelf/"
    if result.get("missing"):
        fail("a pyproject.toml next to shelf/", got="no pyproject.toml", sent=sent)
    if "invalid" in result:
        fail("a pyproject.toml that is valid TOML", got=f"it does not parse: {result['invalid']}", sent=sent)
    if not result["backend"] or not result["requires"]:
        fail("a [build-system] table with requires and build-backend", sent=sent,
             got=f"build-backend = {result['backend']!r}, requires = {result['requires']!r}",
             note="pip reads it to know which tool builds the package: flit_core, as in Flask's tutorial, or "
                  "setuptools.")
    if not result["name"] or not (result["version"] or "version" in result["dynamic"]):
        fail("[project] with a name and a version", sent=sent,
             got=f"name = {result['name']!r}, version = {result['version']!r}")
    names = set()
    for requirement in result["dependencies"]:
        try:
            names.add(canonicalize_name(Requirement(requirement).name))
        except InvalidRequirement:
            fail("dependencies written as requirements, such as \"flask>=3.1\"", sent=sent,
                 got=f"dependencies = {result['dependencies']!r}")
    missing = [name for name in ("flask", "flask-wtf") if name not in names]
    if missing:
        fail("dependencies that include " + " and ".join(missing), sent=sent,
             got=f"dependencies = {result['dependencies']!r}",
             note="pip install -e . installs what dependencies lists: without it, Shelf installed on a new machine "
                  "fails at its first import.")


@check(points=1, hints=[
    ("Create wsgi.py next to shelf/ (not inside it), with app = create_app() and nothing else. See lesson 12, "
    "\"A module for the server: wsgi.py\"."),
    ("A server imports wsgi.py and serves its app itself: no app.run(), no serve(), no debug=True. The "
    "settings come from the environment (FLASK_SECRET_KEY, FLASK_DATABASE, FLASK_PRODUCTION)."),
])
def test_wsgi_module(app):
    """import wsgi gives wsgi.app, a Flask app from create_app() that takes its settings from the environment, without starting a server"""
    result = app.probe("import_wsgi")
    sent = "import wsgi, as waitress-serve wsgi:app does, with FLASK_DATABASE set in the environment"
    if result["raised"]:
        if result["server"]:
            fail("importing wsgi to build the app and return at once", sent=sent,
                 got=f"wsgi.py calls {result['server']}, which would serve forever and never return",
                 note="The server imports wsgi.py to find app, then serves it itself. Remove the call: "
                      "`flask --app shelf run --debug` is for your machine, `waitress-serve wsgi:app` for a "
                      "server.")
        missing = "No module named 'wsgi'" in result["raised"]
        fail("importing wsgi to build the app", got=f"it raised {result['raised']}", sent=sent,
             note="Create wsgi.py in your lesson folder, next to shelf/." if missing else None)
    if not result["has_app"]:
        fail("a variable app in wsgi.py", got="wsgi.py has no app", sent=sent,
             note="Servers look for the name you give them, wsgi:app: write app = create_app().")
    if not result["flask"]:
        fail("wsgi.app to be the Flask app create_app() returns", got=f"wsgi.app is a {result['type']}", sent=sent)
    if result["debug"] or result["testing"]:
        fail("wsgi.app with debug and testing off", sent=sent,
             got=f"app.debug is {result['debug']}, app.testing is {result['testing']}",
             note="The server's app is the real one: debug mode's debugger runs any code it is sent. Call "
                  "create_app() without a test config.")
    if not result["database"]:
        fail("wsgi.app to use the database file that FLASK_DATABASE names", sent=sent,
             got="app.config[\"DATABASE\"] is another file",
             note="On a server, settings come from the environment. create_app() with no argument reads "
                  "them; a test_config passed in wsgi.py would override them.")


@check(points=1, hints=[
    ("wsgi.app must work under a real WSGI server, not only in Flask's test client. See lesson 12, "
    "\"Serving Shelf for real\"."),
    ("Try it: `FLASK_DATABASE=/tmp/shelf.sqlite waitress-serve --port 8000 wsgi:app` from your lesson folder, "
    "then open http://127.0.0.1:8000/healthz."),
])
def test_real_server(app):
    """waitress serves wsgi.app over a real socket: GET /healthz and GET /items/2 work"""
    started = app.probe("start_waitress")
    sent = "waitress.create_server(wsgi.app, host=\"127.0.0.1\", port=0), started in a thread"
    if started["raised"]:
        fail("wsgi.py to give waitress an app to serve (task 7)", sent=sent,
             got=f"wsgi.py calls {started['server']}" if started["server"] else f"importing wsgi: {started['raised']}")
    status, body, sent = fetch(app, started["port"], "/healthz")
    if status != 200 or parsed(body) != HEALTHY:
        fail("200 with the JSON " + json.dumps(HEALTHY), got=f"{status}, body {quote(body[:200])}", sent=sent)
    status, body, sent = fetch(app, started["port"], "/items/2")
    if status != 200 or "PEP 3333" not in body:
        fail("200 and a page with \"PEP 3333\"", got=f"{status}, body {quote(body[:200])}", sent=sent,
             note="The page works in the test client: is wsgi.app built by create_app(), like the grader's app?")


def fetch(app, port: int, path: str) -> tuple[int, str, str]:
    """GET ``path`` from the server over HTTP, as a browser would: (status, body, what was sent)."""
    sent = f"GET {path} over a real connection to waitress on 127.0.0.1:{port}"
    connection = app.http_connection(port, timeout=5)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), sent
    except (OSError, http.client.HTTPException) as error:
        fail("an HTTP response from waitress", got=f"{type(error).__name__}: {error}", sent=sent)
    finally:
        connection.close()


def parsed(body: str):
    try:
        return json.loads(body)
    except ValueError:
        return None
