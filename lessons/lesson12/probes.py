"""Lesson 12 probes: what the checks run inside the student's process.

The big one runs the student's own test suite, ``tests/``, with pytest, in this process: on the
student's Shelf, or on another Shelf package the check sends (the reference solution, or a copy
of it with one bug) written to a folder of its own and imported in place of the student's.
Outcomes come from pytest's hooks, never from its printed output. The others import ``wsgi.py``,
build apps with production settings from the environment, and start a real WSGI server. The
expectations stay in checks.py.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest  # imported once, before the worker for each check is forked
import waitress
from flask import Flask

FIXTURES = ("app", "client", "runner", "auth")
OWN_MODULES = ("shelf", "wsgi")


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Set (or, for None, remove) environment variables, and put every one back afterwards."""
    saved = dict(os.environ)
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _no_flask_settings() -> dict[str, None]:
    """Every FLASK_* variable removed: the app is built as a fresh server would build it."""
    return {key: None for key in os.environ if key.startswith("FLASK_")}


def _forget_modules(root: str) -> dict[str, object]:
    """Drop ``shelf``, ``wsgi`` and every module loaded from the submission (its tests, conftest.py)
    from sys.modules, so the next import reads them afresh; return what was dropped."""
    dropped = {}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if name.split(".")[0] in OWN_MODULES or path.startswith(root + os.sep):
            dropped[name] = sys.modules.pop(name)
    return dropped


def _write_package(files: dict[str, str]) -> str:
    """Write ``{relative path: text}`` to a new folder; return the folder."""
    folder = tempfile.mkdtemp(prefix="shelf-")
    for name, text in files.items():
        path = Path(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def _short(report: pytest.TestReport | pytest.CollectReport, root: str) -> str:
    """One line that says why a test failed: pytest's own crash message (``assert 200 == 201``), the
    missing fixture (``fixture 'client' not found``), or why a test file could not be imported."""
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    text = getattr(longrepr, "errorstring", None) or (crash.message if crash else None)
    if text is None:  # a test file that cannot be imported: the exception is on pytest's last "E   " line
        errors = [line[1:].strip() for line in str(longrepr).splitlines() if line.startswith("E ")]
        text = errors[-1] if errors else str(longrepr)
        line = next((found.group(1) for error in errors if (found := re.search(r'", line (\d+)', error))), None)
        text += f" (line {line})" if line else ""
    lines = [line.strip() for line in text.replace(root + os.sep, "").splitlines() if line.strip()]
    return (lines[0] if lines else "failed")[:240]


class Collector:
    """A pytest plugin that records what happened to each test, from pytest's hooks.

    ``only`` keeps just those tests; ``twice`` runs the suite, then runs it again in (almost) reverse
    order in the same session: tests that share a database, an app or a module-level variable fail then.
    """

    def __init__(self, root: str, only: list[str] | None, twice: bool) -> None:
        self.root = root
        self.only = only
        self.twice = twice
        self.tests: list[str] = []
        self.runs: dict[str, list[dict[str, str]]] = {}
        self.errors: list[dict[str, str]] = []
        self.fixtures: dict[str, str] = {}
        self.current: dict[str, dict[str, str]] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.only is not None:
            items[:] = [item for item in items if item.nodeid in self.only]
        self.tests = [item.nodeid for item in items]
        self._fixture_files(items)
        if self.twice and len(items) > 1:
            # Reversed, but for the last test, which stays last: pytest cannot run one test twice in a row.
            items[:] = items + items[-2::-1] + items[-1:]

    def _fixture_files(self, items: list[pytest.Item]) -> None:
        """For app, client, runner and auth: the file that defines the fixture the tests use."""
        for item in items:
            definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
            for name in FIXTURES:
                if name in definitions and name not in self.fixtures:
                    code = getattr(definitions[name][-1].func, "__code__", None)
                    path = os.path.abspath(code.co_filename) if code else ""
                    inside = path.startswith(self.root + os.sep)
                    self.fixtures[name] = Path(path).relative_to(self.root).as_posix() if inside else "(outside your folder)"

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append({"where": report.nodeid or ".", "message": _short(report, self.root)})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Each test reports three times (setup, call, teardown): its outcome is the first that is not a pass."""
        result = self.current.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
        if result["outcome"] == "passed" and report.failed:
            where = "" if report.when == "call" else f"error in {report.when}: "
            result.update(outcome="failed", message=where + _short(report, self.root))
        elif result["outcome"] == "passed" and report.skipped:
            result["outcome"] = "skipped"
        if report.when == "teardown":
            self.runs.setdefault(report.nodeid, []).append(self.current.pop(report.nodeid))


def your_tests(app, package: dict[str, str] | None = None, options: dict | None = None) -> dict:
    """Run the student's ``tests/`` with pytest, in this process.

    ``package`` ({relative path: text}, e.g. ``shelf/__init__.py``) replaces the student's Shelf for
    this run; without it the tests run on the student's own. ``options``: ``only`` (run just these
    node ids), ``twice`` (see Collector), ``collect_only``, ``first_failure`` (stop there, like ``-x``).
    """
    options = options or {}
    root = os.getcwd()  # the submission: the sandbox runs every check from its folder
    tests = os.path.join(root, "tests")
    if not os.path.isdir(tests):
        return {"missing": True}
    scratch = tempfile.mkdtemp(prefix="pytest-")
    ini = os.path.join(scratch, "pytest.ini")
    Path(ini).write_text("[pytest]\n", encoding="utf-8")  # the student's own pytest settings do not apply
    folder = _write_package(package) if package is not None else None
    collector = Collector(root, options.get("only"), options.get("twice", False))
    args = [tests, "-c", ini, "--rootdir", root, "--confcutdir", root, "--import-mode=importlib",
            "--basetemp", os.path.join(scratch, "tmp"), "-p", "no:cacheprovider", "-p", "no:terminal"]
    if options.get("collect_only"):
        args.append("--collect-only")
    if options.get("first_failure"):
        args.append("--exitfirst")
    dropped = _forget_modules(root)
    sys.path.insert(0, folder or root)  # `import shelf` in the tests finds this Shelf first
    stderr = io.StringIO()
    try:
        with _environment(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTEST_ADDOPTS=None, PYTEST_PLUGINS=None), \
                contextlib.redirect_stderr(stderr):
            status = int(pytest.main(args, plugins=[collector]))
    finally:
        sys.path.remove(folder or root)
        _forget_modules(root)
        sys.modules.update(dropped)  # the check's own app keeps working with the modules it came from
    return {"status": status, "tests": collector.tests, "runs": collector.runs, "errors": collector.errors,
            "fixtures": collector.fixtures, "stderr": stderr.getvalue().replace(root + os.sep, "")[-1500:]}


class ServeAtImport(BaseException):
    """Raised in place of ``waitress.serve`` while ``wsgi.py`` is imported (the grader refuses ``app.run`` alike)."""


def _refuse_serve(*args, **kwargs) -> None:
    raise ServeAtImport


def _import_wsgi(database: str) -> tuple[object, dict | None]:
    """Import ``wsgi.py`` as a server would, with only FLASK_DATABASE set: (the module, None) or (None, why not).

    A server started at import time never returns: ``app.run()`` (refused by the grader in every
    check) and ``waitress.serve()`` (refused here) raise instead, and the answer says which ran.
    """
    serve, waitress.serve = waitress.serve, _refuse_serve
    sys.modules.pop("wsgi", None)  # imported anew, as by a server just started: not the module an earlier check built
    try:
        with _environment(**{**_no_flask_settings(), "FLASK_DATABASE": database}):
            return importlib.import_module("wsgi"), None
    except BaseException as error:  # noqa: BLE001 - the refusals are BaseExceptions, as is SystemExit
        started_server = {"RunAtImport": "app.run()", "ServeAtImport": "waitress.serve()"}
        return None, {"raised": _error(error), "server": started_server.get(type(error).__name__)}
    finally:
        waitress.serve = serve


def import_wsgi(app) -> dict:
    """What ``wsgi.app`` is, once ``wsgi.py`` is imported."""
    database = os.path.join(tempfile.mkdtemp(prefix="wsgi-"), "shelf.sqlite")
    module, error = _import_wsgi(database)
    if error:
        return error
    found = getattr(module, "app", None)
    return {"raised": None, "has_app": hasattr(module, "app"),
            "type": type(found).__name__, "flask": isinstance(found, Flask),
            "debug": bool(getattr(found, "debug", False)), "testing": bool(getattr(found, "testing", False)),
            "database": found.config.get("DATABASE") == database if isinstance(found, Flask) else None}


def production_apps(app) -> dict:
    """``create_app()`` with settings from the environment, as a production server runs it."""
    create_app = importlib.import_module("shelf").create_app
    database = os.path.join(tempfile.mkdtemp(prefix="production-"), "shelf.sqlite")
    cases = {
        "key": {"FLASK_SECRET_KEY": "abc"},
        "no_key": {"FLASK_PRODUCTION": "true"},
        "debug": {"FLASK_PRODUCTION": "true", "FLASK_SECRET_KEY": "a-long-random-value", "FLASK_DEBUG": "true"},
        "no_hosts": {"FLASK_PRODUCTION": "true", "FLASK_SECRET_KEY": "a-long-random-value"},
        "ready": {"FLASK_PRODUCTION": "true", "FLASK_SECRET_KEY": "a-long-random-value",
                  "FLASK_TRUSTED_HOSTS": '["shelf.example"]'},
    }
    results = {}
    for case, settings in cases.items():
        with _environment(**{**_no_flask_settings(), "FLASK_DATABASE": database, **settings}):
            try:
                built = create_app()
            except Exception as error:  # noqa: BLE001 - raising is the expected answer for three of the cases
                results[case] = {"raised": type(error).__name__, "message": str(error)[:300]}
                continue
        client = built.test_client()
        own = client.get("/healthz", base_url="https://shelf.example")
        other = client.get("/healthz", base_url="https://evil.example")
        results[case] = {"raised": None, "secret_key": str(built.secret_key), "debug": built.debug,
                         "secure_cookie": built.config.get("SESSION_COOKIE_SECURE"),
                         "own_host": own.status_code, "other_host": other.status_code,
                         "hsts": own.headers.get("Strict-Transport-Security")}
    return results


def rotated_key_tokens(app) -> dict:
    """An API token from an app with SECRET_KEY "old-key", used on an app whose key is now "new-key" with
    SECRET_KEY_FALLBACKS ["old-key"]; and a token from that new app, used on an app that knows "new-key" only.
    The apps share one database, so the account made on the first exists on all three."""
    create_app = importlib.import_module("shelf").create_app
    database = os.path.join(tempfile.mkdtemp(prefix="rotation-"), "shelf.sqlite")
    base = {"TESTING": True, "DATABASE": database, "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    account = ("rotation", "correct horse battery")
    item = {"title": "Rotated", "url": "https://example.com/rotated"}
    try:
        old = create_app({**base, "SECRET_KEY": "old-key"})
        new = create_app({**base, "SECRET_KEY": "new-key", "SECRET_KEY_FALLBACKS": ["old-key"]})
        newest = create_app({**base, "SECRET_KEY": "new-key"})
    except Exception as error:  # noqa: BLE001 - the check explains what the student's factory raised
        return {"error": _error(error)}
    old.test_client().post("/auth/register", data={"username": account[0], "password": account[1]})

    def token(built):
        answer = built.test_client().post("/api/tokens", auth=account)
        body = answer.get_json(silent=True) or {}
        return body.get("token") if answer.status_code == 201 else None

    def create(built, value):
        return built.test_client().post("/api/items", json=item,
                                        headers={"Authorization": f"Bearer {value}"}).status_code

    old_token = token(old)
    new_token = token(new)
    return {"old_token": old_token is not None, "new_token": new_token is not None,
            "old_on_new": create(new, old_token) if old_token else None,
            "new_on_newest": create(newest, new_token) if new_token else None}


def project_file(app) -> dict:
    """The parts of pyproject.toml, next to shelf/, that make the project installable."""
    import tomllib

    path = Path(importlib.import_module("shelf").__file__).resolve().parent.parent / "pyproject.toml"
    if not path.is_file():
        return {"missing": True}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return {"invalid": _error(error)}
    project = data.get("project", {})
    build = data.get("build-system", {})
    return {"name": project.get("name"), "version": project.get("version"),
            "dynamic": project.get("dynamic", []), "dependencies": project.get("dependencies", []),
            "backend": build.get("build-backend"), "requires": build.get("requires", [])}


def start_waitress(app) -> dict:
    """Serve ``wsgi.app`` with waitress on a free loopback port, in a daemon thread; return the port.

    The thread serves until this check's worker process ends, so the check connects to it from the
    grader's own process, as any HTTP client would.
    """
    database = os.path.join(tempfile.mkdtemp(prefix="served-"), "shelf.sqlite")
    module, error = _import_wsgi(database)
    if error:
        return error
    if not hasattr(module, "app"):
        return {"raised": "wsgi.py has no app", "server": None}
    server = waitress.create_server(module.app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, name="waitress", daemon=True).start()
    return {"raised": None, "port": int(server.effective_port)}
