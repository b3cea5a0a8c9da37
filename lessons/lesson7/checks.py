"""Lesson 7 checks: the application factory, layered configuration, blueprints, app-wide hooks."""

import json

from grader import check, expect, fail, quote
from grader.expectations import CheckFailure

BLUEPRINTS = ("main", "items", "api")
NOT_FOUND_PAGE = "Shelf couldn't find that page"
RULES = {
    "main.index": "/",
    "main.about": "/about",
    "main.tag": "/tags/<tag>",
    "main.tags_all": "/tags/<tags:names>",
    "items.index": "/items/",
    "items.detail": "/items/<int:item_id>",
    "items.create": "/items/new",
    "api.item": "/api/items/<int:item_id>",
    "api.create": "/api/items",
}
TWO_CALLS = 'in your app\'s process: create_app({"TESTING": True}), then create_app()'


def describe_call_error(call, error, sent):
    note = None
    if "already registered" in error:
        note = ("Flask refuses to register a blueprint name twice on one app. Either create_app() reuses an app "
                "made at module level (so the second call registers everything again), or two of your "
                "blueprints have the same name.")
    elif "positional argument" in error:
        note = "Give the parameter a default, def create_app(test_config=None): flask run calls create_app() " \
               "with no argument."
    elif "NoneType" in error:
        note = "create_app() is called with test_config=None: apply it only when it is given " \
               "(if test_config is not None: ...)."
    fail(f"{call} to build and return a new Flask app", got=f"{call} raised {error}", sent=sent, note=note)


def require_blueprints(app, *names):
    """This check is about blueprints: stop early, and say so, while they are missing."""
    registered = app.probe("blueprint_names")
    missing = [name for name in names if name not in registered]
    if missing:
        fail("the blueprint" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
             + " registered on the app (tasks 2 to 4): this check tests the app once its views live in blueprints",
             got="blueprints registered: " + (", ".join(registered) if registered else "none"),
             sent="reading app.blueprints")


def add_note(failure, note):
    failure.note = f"{failure.note} {note}" if failure.note else note
    return failure


def hrefs(response):
    """Every href in the page, however it is quoted, entities decoded."""
    return [element.get("href") for element in expect(response).select("[href]")]


def links_to(response, *urls):
    found = hrefs(response)
    for url in urls:
        if url not in found:
            fail(f'the page to link to {url} (href="{url}")', got="links in the page: " + (", ".join(found) or "none"),
                 sent=response.sent)


def check_rules(app, endpoints):
    """Each endpoint exists, at its rule of RULES."""
    routes = app.routes()
    by_endpoint = {route["endpoint"]: route["rule"] for route in routes}
    by_rule = {route["rule"]: route["endpoint"] for route in routes}
    for endpoint in endpoints:
        rule = RULES[endpoint]
        if endpoint not in by_endpoint:
            got = f"the rule {rule} has the endpoint {by_rule[rule]}" if rule in by_rule else f"no rule {rule} at all"
            fail(f"an endpoint {endpoint}, at {rule}", got=got, sent="listing app.url_map",
                 note="An endpoint is the blueprint's name, a dot and the view function's name: def detail() in "
                      "the blueprint items is items.detail.")
        if by_endpoint[endpoint] != rule:
            fail(f"{endpoint} at {rule}", got=f"{endpoint} at {by_endpoint[endpoint]}", sent="listing app.url_map",
                 note="A blueprint's url_prefix goes in front of each of its routes: with url_prefix=\"/items\", "
                      "@bp.get(\"/<int:item_id>\") is /items/<int:item_id>.")


def check_urls(app, cases):
    for endpoint, values, url in cases:
        built = app.url_for(endpoint, **values)
        if built != url:
            shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
            fail(f'url_for("{endpoint}", {shown}) == "{url}"', got=f'url_for("{endpoint}", {shown}) == "{built}"',
                 sent="building a URL under app.test_request_context()")


def require_blueprint(app, name):
    """The blueprint ``name`` is registered; fail, saying how, while it is not."""
    registered = app.probe("blueprint_names")
    if name not in registered:
        fail(f"a blueprint {name!r} registered on the app",
             got="blueprints registered: " + (", ".join(registered) if registered else "none"),
             sent="reading app.blueprints",
             note="Make it with Blueprint(...) in its module, and register it with app.register_blueprint(...): in "
                  "shelf/app.py until create_app() builds the app (TODO 7), then in create_app().")


@check(points=1, hints=[
    ("In shelf/main.py, bp = Blueprint(\"main\", __name__); move the site's pages onto it (@bp.get instead of "
    "@app.get) and register it: app.register_blueprint(main.bp), in shelf/app.py for now. See lesson 7, "
    "\"Blueprints\"."),
    ("TagListConverter moves to converters.py first (TODO 1), and is registered before the blueprint: its rule "
    "/tags/<tags:names> needs it."),
    ("The endpoints are main.index, main.about, main.tag, main.tags_all...: rename them wherever url_for names "
    "them, in the views (url_for(\".index\")) and in the templates (url_for('main.index'))."),
])
def test_main_blueprint(app):
    """The site's pages live in the blueprint main: main.index is /, main.tag /tags/<tag>, url_for("main.tag", tag="web dev") is /tags/web%20dev"""
    require_blueprint(app, "main")
    check_rules(app, ("main.index", "main.about", "main.tag", "main.tags_all"))
    for path, wanted in (("/tags/python+wsgi", ["main.tags_all", {"names": ["python", "wsgi"]}]),
                         ("/tags/wsgi", ["main.tag", {"tag": "wsgi"}])):
        routed = app.probe("match", path)
        if routed != wanted:
            fail(f"GET {path} routed to {wanted[0]} with {wanted[1]}", sent="matching the URL against app.url_map",
                 got="no rule matches" if routed is None else f"routed to {routed[0]} with {routed[1]}",
                 note="Register the tags converter before the blueprints, and keep the rules of lesson 4: "
                      "/tags/<tag> and /tags/<tags:names>.")
    check_urls(app, (("main.tags_all", {"names": ["python", "wsgi"]}, "/tags/python+wsgi"),
                     ("main.tags_all", {"names": ["web dev", "python"]}, "/tags/web%20dev+python"),
                     ("main.tag", {"tag": "web dev"}, "/tags/web%20dev")))


@check(points=1, hints=[
    ("In shelf/items.py, bp = Blueprint(\"items\", __name__, url_prefix=\"/items\"), registered like main. See "
    "lesson 7, \"Blueprints\"."),
    ("The url_prefix goes in front of every route of the blueprint: the list is @bp.route(\"/\", methods=[\"GET\", "
    "\"POST\"]), the detail @bp.get(\"/<int:item_id>\"). Name the views index, detail, create and import_urls."),
])
def test_items_blueprint(app):
    """The item pages live in the blueprint items, under /items: url_for("items.detail", item_id=2) is /items/2"""
    require_blueprint(app, "items")
    check_rules(app, ("items.index", "items.detail", "items.create"))
    check_urls(app, (("items.detail", {"item_id": 2}, "/items/2"),))


@check(points=1, hints=[
    ("In shelf/api.py, bp = Blueprint(\"api\", __name__, url_prefix=\"/api\"), registered like the others; the "
    "views are item and create. See lesson 7, \"Blueprints\"."),
    ("When the API is moved, no view is left on the app itself: every endpoint but static has a blueprint's name "
    "in front. flask --app shelf routes shows them."),
])
def test_api_blueprint(app):
    """The API lives in the blueprint api, under /api (api.item, api.create), and no view is left outside a blueprint"""
    require_blueprint(app, "api")
    check_rules(app, ("api.item", "api.create"))
    check_urls(app, (("api.item", {"item_id": 2}, "/api/items/2"),))
    outside = sorted({route["endpoint"] for route in app.routes() if "." not in route["endpoint"]} - {"static"})
    if outside:
        fail("every view in one of the blueprints", got="views registered on the app itself: " + ", ".join(outside),
             sent="listing app.url_map", note="Move each one onto a blueprint; the app only registers them.")


@check(points=1, hints=[
    ("Every url_for in the templates and views names a blueprint endpoint now: url_for('items.detail', "
    "item_id=item.id), url_for('main.index'). See lesson 7, \"Endpoints and url_for\"."),
    ("Inside a blueprint's own views, url_for(\".detail\", ...) is short for the same blueprint's endpoint. In a "
    "template shared by several blueprints (items/list.html is also rendered by main.tag), write the full "
    "name: a leading dot there means whichever blueprint is handling the request."),
])
def test_links_use_blueprint_endpoints(app, client):
    """Every page still renders, and its links and redirects are built from the blueprint endpoints"""
    require_blueprints(app, *BLUEPRINTS)
    # The links the tasks asked for: the nav (lessons 3 and 4) and each title of a list (lesson 3). The other
    # pages only have to render: a url_for left with an old endpoint name is a BuildError, so a 500.
    pages = (
        ("/", 200, ("/", "/items/", "/items/new", "/about")),
        ("/items/", 200, ("/items/2",)),
        ("/tags/wsgi", 200, ("/items/2",)),
        ("/tags/python+wsgi", 200, ("/items/2",)),
        ("/items/2", 200, ()),
        ("/about", 200, ()),
        ("/nope", 404, ()),
    )
    for path, status, links in pages:
        response = client.get(path)
        expect(response).status(status).mimetype("text/html")
        links_to(response, *links)
    form = client.get("/items/new")
    expect(form).status(200).element("form")
    actions = [element.get("action") for element in expect(form).select("form")]
    if not any(action in (None, "", "/items/new") for action in actions):
        fail('the form on /items/new to post to /items/new: action="{{ url_for(\'items.create\') }}"',
             got="forms posting to: " + ", ".join(repr(action) for action in actions), sent=form.sent)
    response = client.post("/items/new", data={"title": "Blueprints", "url": "https://flask.palletsprojects.com/blueprints/"})
    expect(response).redirects_to("/items/4")
    expect(client.get("/home")).redirects_to("/")
    expect(client.get("/prefs/theme/dark")).redirects_to("/")


def hooks_note(app, kind, decorator):
    places = app.probe("hooks")[kind]
    shown = "; ".join(f"{where}: {', '.join(names)}" for where, names in places.items()) or "none anywhere"
    return (f"{kind} functions are registered on {shown}. A blueprint's own @bp.{kind} runs only for that "
            f"blueprint's views; @bp.{decorator} registers it for every request of the app.")


@check(points=1, fresh_app=True, hints=[
    ("In a blueprint, the hooks every page needs are registered with the app_ decorators: "
    "@bp.before_app_request, @bp.after_app_request, @bp.app_context_processor, @bp.app_template_filter. "
    "See lesson 7, \"App-wide hooks from a blueprint\"."),
    ("@bp.before_request and @bp.context_processor (without app_) only apply to that blueprint's own views: "
    "the request id would be missing from /items/2, the footer's count from the list."),
])
def test_hooks_apply_to_every_blueprint(app, client):
    """The request id, the footer's item count and the domain filter work on every page, whichever blueprint serves it"""
    require_blueprints(app, *BLUEPRINTS)
    for path, status in (("/", 200), ("/items/2", 200), ("/api/items/2", 200), ("/nope", 404)):
        response = client.get(path, headers={"X-Request-ID": "lesson-7"})
        expect(response).status(status)
        if response.headers.get("X-Request-ID") != "lesson-7":
            fail("the X-Request-ID header echoed: X-Request-ID: lesson-7",
                 got=f"X-Request-ID: {response.headers.get('X-Request-ID')}", sent=response.sent,
                 note=hooks_note(app, "before_request", "before_app_request") + " The same goes for after_request.")
    for path in ("/about", "/items/", "/items/new"):
        response = client.get(path)
        expect(response).status(200)
        if "3 items saved" not in expect(response).page_text():
            footers = expect(response).select("footer")
            fail('the footer to say "3 items saved"',
                 got=f"footer: {quote(footers[0].text)}" if footers else "no <footer>", sent=response.sent,
                 note=hooks_note(app, "context_processor", "app_context_processor"))
    expect(client.get("/items/")).text_contains("(peps.python.org)")


def handlers_note(app):
    places = app.probe("error_handlers")
    shown = "; ".join(f"{where}: {', '.join(names)}" for where, names in places.items()) or "none anywhere"
    return (f"Your error handlers are registered on {shown}. A URL that matches no route belongs to no "
            "blueprint, so only a handler registered on the app (app.register_error_handler, or "
            "@bp.app_errorhandler from a blueprint) sees its 404.")


@check(points=2, hints=[
    ("Register the HTTPException handler for the whole app: @bp.app_errorhandler(HTTPException) in main.py, not "
    "@bp.errorhandler. See lesson 7, \"Errors that no blueprint sees\"."),
    ("A blueprint's own @bp.errorhandler(404) only sees abort(404) called inside its views: /api/items/99, but "
    "not /api/nope, which matched no route and so never reached the api blueprint."),
    ("The handler itself is lesson 2's: JSON {\"error\": error.name, \"status\": error.code} when request.path "
    "starts with /api/, else the 404.html page for a 404."),
])
def test_errors_for_every_url(app, client):
    """Unknown URLs under /api/ get a JSON 404 and the others the HTML 404 page, though no blueprint matched them"""
    require_blueprints(app, "api")
    expect(client.get("/api/items/2")).status(200).mimetype("application/json")
    try:
        for path in ("/api/nope", "/api/items/99"):
            expect(client.get(path)).status(404).json({"error": "Not Found", "status": 404})
        response = client.delete("/api/items/1")
        expect(response).status(405).json({"error": "Method Not Allowed", "status": 405}).header("Allow")
        for path in ("/nope", "/items/99"):
            expect(client.get(path)).status(404).mimetype("text/html").text_contains(NOT_FOUND_PAGE)
    except CheckFailure as failure:
        raise add_note(failure, handlers_note(app)) from None


@check(points=2, hints=[
    ("Define create_app(test_config=None) in shelf/__init__.py: it creates app = Flask(__name__, "
    "instance_relative_config=True), sets it up, and ends with return app. See lesson 7, \"The application "
    "factory\"."),
    ("Everything that shelf/app.py does at module level (settings, converter, routes, hooks, middleware) happens "
    "inside the function, so every call builds a brand-new app. Nothing creates a Flask object at module level."),
    ("Apply test_config last, and only when it is given: if test_config is not None: "
    "app.config.from_mapping(test_config)."),
])
def test_factory_builds_new_apps(app):
    """create_app() builds a new Flask app at every call; create_app({"TESTING": True}) is in testing mode, create_app() is not"""
    result = app.probe("two_apps")
    calls = ('create_app({"TESTING": True})', "create_app()")
    for call, error in zip(calls, result["errors"]):
        if error:
            describe_call_error(call, error, TWO_CALLS)
    for call, kind in zip(calls, result["types"]):
        if kind != "Flask":
            fail(f"{call} to return a Flask app", got=f"{call} returned a {kind}", sent=TWO_CALLS,
                 note="End create_app() with return app. Middleware wraps app.wsgi_app, never app itself.")
    if result["same"] or result["checks_app"]:
        fail("two calls to return two different app objects", got="both calls returned the same app object",
             sent=TWO_CALLS,
             note="create_app() must call Flask(__name__, ...) itself, every time. Returning an app made at "
                  "module level (such as the one in shelf/app.py) means every app shares its routes, its "
                  "settings and its items.")
    if result["testing"] != [True, False]:
        fail('create_app({"TESTING": True}).testing == True and create_app().testing == False',
             got=f'create_app({{"TESTING": True}}).testing == {result["testing"][0]!r} and create_app().testing '
                 f'== {result["testing"][1]!r}', sent=TWO_CALLS,
             note="test_config is a dict of settings: load it into app.config with "
                  "app.config.from_mapping(test_config), after every other setting. app.testing reads "
                  "app.config[\"TESTING\"].")


@check(points=1, hints=[
    ("Install the middleware inside create_app(), on the app it just made, before return app: "
    "app.wsgi_app = PoweredByMiddleware(app.wsgi_app), then the DispatcherMiddleware. See lesson 7, "
    "\"Middleware belongs in the factory\"."),
    ("Middleware added to some other app (one made at module level for a server, say) is not on the apps that "
    "create_app() returns to tests and to flask run."),
])
def test_middleware_built_by_the_factory(app, client):
    """Every app create_app() builds has the lesson-6 middleware: X-Powered-By and /health"""
    result = app.probe("middleware_of_new_apps")
    sent = 'in your app\'s process: two apps from create_app({"TESTING": True}), then GET / on each'
    if "error" in result:
        describe_call_error('create_app({"TESTING": True})', result["error"], sent)
    if result["same"]:
        fail("two calls to create_app() to return two different apps, each with its own middleware",
             got="both calls returned the same app object", sent=sent,
             note="The middleware must be installed on each new app, inside create_app().")
    if result["powered_by"] != ["Shelf", "Shelf"]:
        layers = " → ".join(result["layers"][0])
        fail("X-Powered-By: Shelf on the responses of every new app",
             got=f"X-Powered-By: {result['powered_by'][0]}", sent=sent,
             note=f"A new app's WSGI layers, outermost first: {layers}.")
    for path, status in (("/", 200), ("/nope", 404), ("/static/style.css", 200)):
        expect(client.get(path)).status(status).header("X-Powered-By", "Shelf")
    expect(client.get("/health")).status(200).body(b"OK")


@check(points=1, config={"ITEMS_PER_PAGE": 2}, alone=True, hints=[
    ("Start create_app() with app.config.from_mapping(SECRET_KEY=\"dev\", ITEMS_PER_PAGE=20, "
    "MAX_CONTENT_LENGTH=64 * 1024, SESSION_COOKIE_SAMESITE=\"Lax\"). See lesson 7, \"Configuration: defaults "
    "first\"."),
    ("The list view reads the page size from the config: current_app.config[\"ITEMS_PER_PAGE\"] (the PER_PAGE "
    "constant goes away), still overridden by ?per_page=."),
])
def test_default_settings(app, client):
    """create_app() sets SECRET_KEY, ITEMS_PER_PAGE=20 and MAX_CONTENT_LENGTH=64 KiB; /items/ shows ITEMS_PER_PAGE items"""
    result = app.probe("default_settings")
    sent = "create_app(), with no instance/config.py and no FLASK_* environment variable"
    if "config" not in result:
        describe_call_error("create_app()", result["error"], sent)
    config = result["config"]
    if not config["SECRET_KEY"]:
        fail("a SECRET_KEY by default (\"dev\" is fine on your own machine)",
             got=f"app.config[\"SECRET_KEY\"] == {config['SECRET_KEY']!r}", sent=sent,
             note="Without it, the session (lesson 5) cannot be signed.")
    for key, wanted in (("ITEMS_PER_PAGE", 20), ("MAX_CONTENT_LENGTH", 64 * 1024)):
        if config[key] != wanted:
            fail(f"app.config[{key!r}] == {wanted}", sent=sent,
                 got=f"app.config[{key!r}] == {config[key]!r}" if config[key] is not None else f"app.config has no {key!r}")
    response = client.get("/items/")
    response.sent = f'{response.sent} on create_app({{"TESTING": True, "ITEMS_PER_PAGE": 2}})'
    note = "The list view must read current_app.config[\"ITEMS_PER_PAGE\"] on every request."
    expect(response).status(200).element("li.item", count=2, note=note)
    expect(response).text_contains("Page 1 of 2")


LAYERS = {20: "the defaults", 7: "instance/config.py", 5: "FLASK_ITEMS_PER_PAGE", 3: "test_config"}


@check(points=2, alone=True, hints=[
    ("After the defaults, in this order: app.config.from_pyfile(\"config.py\", silent=True), then "
    "app.config.from_prefixed_env(), then the test_config. See lesson 7, \"Layers of settings\"."),
    ("from_pyfile(\"config.py\") looks in the instance folder only when the app is made with "
    "Flask(__name__, instance_relative_config=True); silent=True lets the file be missing."),
    ("from_prefixed_env() reads every FLASK_* variable: FLASK_ITEMS_PER_PAGE=5 becomes ITEMS_PER_PAGE == 5, "
    "an int, because the value is read as JSON. os.environ.get(...) would give the str \"5\"."),
])
def test_settings_layers(app):
    """Settings come in layers, each overriding the one before: defaults < instance/config.py < FLASK_* < test_config"""
    result = app.probe("settings_layers")
    file = result["instance_file"]
    steps = (
        ("file", 7, "from-the-instance-file", f"{file} saying ITEMS_PER_PAGE = 7, then create_app()",
         ("The instance file was not read, or a later layer undid it. Build the app with Flask(__name__, "
         "instance_relative_config=True) and call app.config.from_pyfile(\"config.py\", silent=True) after "
         "the defaults.")),
        ("env", 5, "from-the-environment",
         f"{file} saying ITEMS_PER_PAGE = 7, FLASK_ITEMS_PER_PAGE=5 in the environment, then create_app()",
         ("The environment must win over the instance file: call app.config.from_prefixed_env() after "
         "from_pyfile(...).")),
        ("test_config", 3, None,
         (f'{file} saying ITEMS_PER_PAGE = 7, FLASK_ITEMS_PER_PAGE=5, then create_app({{"TESTING": True, '
         '"ITEMS_PER_PAGE": 3}})'),
         ("test_config wins over everything: apply it last, after from_prefixed_env(). It is how tests (and "
         "this grader) choose the settings they need.")),
    )
    for key, wanted, secret, sent, note in steps:
        got = result[key]
        if "error" in got:
            describe_call_error("create_app()", got["error"], sent)
        value, kind = got["ITEMS_PER_PAGE"], got["type"]
        if value != wanted or kind != "int":
            if kind == "str" and str(value) == str(wanted):
                note = ("The value is the str \"5\", not the int 5: app.config.from_prefixed_env() reads each "
                        "value as JSON, so numbers arrive as numbers. Reading os.environ yourself does not.")
            elif value in LAYERS:
                note = f"{value} is the value from {LAYERS[value]}, which came out on top. {note}"
            fail(f"app.config[\"ITEMS_PER_PAGE\"] == {wanted} (an int)",
                 got=f"app.config[\"ITEMS_PER_PAGE\"] == {value!r} (a {kind})" if value is not None
                 else "app.config has no \"ITEMS_PER_PAGE\"", sent=sent, note=note)
        if secret and got["SECRET_KEY"] != secret:
            fail(f"app.config[\"SECRET_KEY\"] == {secret!r}", got=f"app.config[\"SECRET_KEY\"] == {got['SECRET_KEY']!r}",
                 sent=sent.replace("ITEMS_PER_PAGE = 7", "SECRET_KEY = \"from-the-instance-file\"")
                 .replace("FLASK_ITEMS_PER_PAGE=5", "FLASK_SECRET_KEY=from-the-environment"),
                 note="Every setting goes through the same layers, SECRET_KEY included: the defaults hold a "
                      "development key, and the real one comes from the instance file or the environment.")


@check(points=2, fresh_app=True, hints=[
    ("Give each app its own Store in store.init_app(app): app.extensions[\"shelf_store\"] = Store(). Views find "
    "it with get_store(), which returns current_app.extensions[\"shelf_store\"]. See lesson 7, \"One store per "
    "app\"."),
    ("Nothing in store.py may hold items at module level any more: no _items list, no STORE = Store(), no global "
    "variable that init_app() sets. Each call of init_app(app) makes a new Store()."),
    "Every view (and context.py) reaches the items through get_store(), never through a module-level name.",
])
def test_each_app_has_its_own_store(app):
    """Two apps from create_app() keep separate items: one saved through the first app's API is not in the second"""
    result = app.probe("separate_stores")
    sent = 'in your app\'s process: two apps from create_app({"TESTING": True}), then POST /api/items on the first'
    if "error" in result:
        describe_call_error('create_app({"TESTING": True})', result["error"], sent)
    stores = result["stores"]
    if "NoneType" in stores:
        fail('app.extensions["shelf_store"] to hold each app\'s store', got="app.extensions has no \"shelf_store\"",
             sent=sent, note="store.init_app(app), called in create_app(), puts a new Store() there.")
    if result["same_store"]:
        fail('each app to have a store of its own: app.extensions["shelf_store"] a different object in each',
             got="both apps hold the very same " + ("module, shelf.store" if stores[0] == "module" else f"{stores[0]} object"),
             sent=sent,
             note="A store created once, at module level, is shared by every app create_app() builds.")
    created = result["created"]
    if created["status"] != 201:
        fail("POST /api/items on the first app to save the item (201 Created)",
             got=f"status {created['status']}, JSON {created['json']}", sent=sent)
    path = result["path"]
    if result["first"] != 200:
        fail(f"GET {path} on the first app to find the item it just saved (200)", got=f"status {result['first']}",
             sent=sent)
    for who in ("second", "checks_app"):
        if result[who] != 404:
            fail(f"GET {path} on another app to be 404: only the first app saved that item",
                 got=f"status {result[who]}: the {'second app' if who == 'second' else 'check’s own app'} "
                     "has it too", sent=sent,
                 note="The apps share their items. Does get_store() return something other than "
                      "current_app.extensions[\"shelf_store\"], such as a global that the last init_app() set?")


PROXY_HEADERS = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "shelf.example"}
DIRECT = {"remote_addr": "127.0.0.1", "scheme": "http", "host": "localhost"}
FORWARDED = {"remote_addr": "203.0.113.7", "scheme": "https", "host": "shelf.example"}


@check(points=1, hints=[
    ("Install ProxyFix only when the setting PROXY_HOPS is above 0, and make 0 the default: with no proxy in "
    "front, the X-Forwarded-* headers come from the visitor. See lesson 7, \"Trusting a proxy: a setting\"."),
    ("hops = app.config[\"PROXY_HOPS\"], then if hops: app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, "
    "x_proto=hops, x_host=hops)."),
])
def test_forwarded_headers_ignored_by_default(client):
    """By default (PROXY_HOPS = 0) a visitor's own X-Forwarded-For, -Proto and -Host change nothing: /whoami shows the real connection"""
    expect(client.get("/whoami")).status(200).json(DIRECT)
    response = client.get("/whoami", headers=PROXY_HEADERS)
    expect(response).status(200)
    data = response.get_json(silent=True)
    if data != DIRECT:
        fail(f"JSON equal to {json.dumps(DIRECT, sort_keys=True)}: nothing stands in front of this app, so these "
             "headers were written by the visitor", got=f"JSON {json.dumps(data, sort_keys=True)}", sent=response.sent,
             note="ProxyFix believed them. Anyone can send X-Forwarded-For: with ProxyFix always on, a visitor "
                  "picks the address that logs, and lesson 10's throttle, will see. Install it only when "
                  "app.config[\"PROXY_HOPS\"] is above 0.")


@check(points=1, config={"PROXY_HOPS": 1}, hints=[
    ("With PROXY_HOPS = 1, create_app() wraps app.wsgi_app in ProxyFix(app.wsgi_app, x_for=1, x_proto=1, "
    "x_host=1), last, so that it runs first. See lesson 7, \"Trusting a proxy: a setting\"."),
    ("Read the number from the config after every layer of settings (test_config included): "
    "hops = app.config[\"PROXY_HOPS\"], then ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)."),
])
def test_forwarded_headers_trusted_behind_a_proxy(app, client):
    """With PROXY_HOPS = 1, /whoami takes the address, scheme and host from one proxy's X-Forwarded-* headers"""
    hops = app.config("PROXY_HOPS")
    if hops != 1:
        fail('app.config["PROXY_HOPS"] == 1 on the app built with create_app({"TESTING": True, "PROXY_HOPS": 1})',
             got=f'app.config["PROXY_HOPS"] == {hops!r}', sent="reading app.config",
             note="create_app() must apply test_config (task 7).")
    expect(client.get("/whoami")).status(200).json(DIRECT)
    response = client.get("/whoami", headers=PROXY_HEADERS)
    expect(response).status(200)
    data = response.get_json(silent=True) or {}
    if data != FORWARDED:
        wrong = [key for key in FORWARDED if data.get(key) != FORWARDED[key]]
        which = {"remote_addr": "x_for", "scheme": "x_proto", "host": "x_host"}
        fail(f"JSON equal to {json.dumps(FORWARDED, sort_keys=True)}", got=f"JSON {json.dumps(data, sort_keys=True)}",
             sent=response.sent,
             note="Wrong: " + ", ".join(f"{key} (needs ProxyFix's {which[key]}=1)" for key in wrong))
    response = client.get("/whoami", headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.7"})
    expect(response).status(200)
    got = (response.get_json(silent=True) or {}).get("remote_addr")
    if got != "203.0.113.7":
        fail('"remote_addr": "203.0.113.7", the address the one proxy saw', got=f'"remote_addr": {json.dumps(got)}',
             sent=response.sent,
             note="Each proxy appends the address it saw; the visitor can put anything before that. Trust "
                  "exactly PROXY_HOPS hops: ProxyFix(..., x_for=hops).")
