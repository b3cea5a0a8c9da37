"""The sandboxed side of grading.

One process per submission (the *zygote*) imports the student's app once, then forks *workers*
from it: never-used apps, without paying for the import again. The checks run one after another in
one worker, which gets new test clients (and, from a factory, a new app) for every check; a check
that fails there runs again in a freshly forked worker. Workers run requests and probes on the app
and send back plain data; every verdict is decided in the grader's own process. Nothing here may
trust, or be trusted by, the code it runs. A spawned worker (``spawned_worker``) enters the copy, loads
the app and serves checks with the same functions (``enter_copy``, ``load_app``, ``serve_checks``).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.util
import io
import os
import socket
import struct
import sys
import tempfile
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Flask, template_rendered, url_for
from jinja2 import FileSystemBytecodeCache

from . import protocol
from .explain import describe
from .loading import AppTarget, LoadError, load
from .restrict import apply_limits, confine_job, drop_privileges

MAX_BODY = 8 * 1024 * 1024


def _guarded() -> list[tuple[str, Any]]:
    """The tools the grader's side of this process relies on, by name, as they are now."""
    from flask.testing import FlaskClient
    from werkzeug import test as werkzeug_test
    from werkzeug.wrappers import Response

    places = [(FlaskClient, "open"), (werkzeug_test.Client, "open"), (werkzeug_test, "run_wsgi_app"),
              (werkzeug_test.EnvironBuilder, "get_environ"), (Response, "iter_encoded"),
              (protocol, "send"), (protocol, "receive"), (protocol, "encode"), (protocol.json, "dumps"),
              (socket.socket, "sendall"), (Worker, "op_request"), (os, "_exit")]
    return [(f"{getattr(owner, '__name__', owner)}.{name}", getattr(owner, name)) for owner, name in places]


class Tampering(Exception):
    """Student code replaced one of the grader's tools inside the sandbox."""


def _check_untouched(snapshot: list[tuple[str, Any]]) -> None:
    for (name, before), (_, now) in zip(snapshot, _guarded()):
        if now is not before:
            raise Tampering(f"your code replaced {name}, which the grader uses to test your app; "
                            "that is not allowed, and no check can pass while it is so")


def _redirect_output(path: str) -> None:
    """Send everything the student's code prints to ``path``, whatever ``sys.stdout`` was before."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    # For the rest of the process's life: closefd=False, the descriptors stay open.
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115


@functools.cache  # once per process: a batch grader warms up before it forks, and no zygote repeats it
def warm_up() -> None:
    """Exercise a throw-away app once, so Flask's lazy imports happen here and not in every worker."""
    app = Flask("warm_up")
    app.add_url_rule("/", "index", lambda: "ok")
    Worker(app, "/").op_request(0, "GET", "/", {})
    app.test_cli_runner().invoke(args=["--help"])
    with app.test_request_context():
        url_for("index")


def _compile_templates(app: Flask) -> None:
    """Compile the app's templates once here, instead of once per check in every worker."""
    env = app.jinja_env
    for name in env.list_templates():
        with contextlib.suppress(Exception):  # a broken template is reported by the check that renders it
            env.get_template(name)


def zygote_main(ctrl: socket.socket, job: dict[str, Any]) -> NoReturn:
    """Import the student's app, report how that went, then fork a worker on every request."""
    os.setpgid(0, 0)
    enter_copy(job, "import.txt")
    warm_up()
    confine_job(job)
    os.chdir(job["root"])  # again: the old working folder is the mount from before the confinement, read-only
    drop_privileges(job)
    apply_limits(job)
    target, snapshot = load_app(ctrl, job)
    gc.freeze()  # workers then never touch (and so never copy) the zygote's objects when they collect
    _serve_workers(ctrl, target, dict(job, snapshot=snapshot))


def enter_copy(job: dict[str, Any], output_name: str) -> None:
    """Work in the submission's copy (current folder, first on the path), printing to ``output_name`` in the
    output folder, with the lesson's probes loaded (before the course is hidden)."""
    root = job["root"]
    os.chdir(root)
    sys.path.insert(0, root)
    _redirect_output(os.path.join(job["output_dir"], output_name))
    for probes in job["probes"]:
        _load_probes(probes)


def load_app(ctrl: socket.socket, job: dict[str, Any]) -> tuple[AppTarget, list[tuple[str, Any]]]:
    """Import the student's app and say how that went; end the process if it did not load.

    Returns the app and the grader's tools as they were before student code ran (to catch tampering).
    """
    snapshot = _guarded()
    try:
        target = load(job["app"], job["root"])
        _check_untouched(snapshot)
    except LoadError as error:
        protocol.send(ctrl, {"load_error": error.info})
        os._exit(0)
    except Tampering as error:
        protocol.send(ctrl, {"load_error": {"title": "Your code changes the grader's tools", "detail": str(error)}})
        os._exit(0)
    if target.is_factory:
        os.makedirs(_template_cache(job), exist_ok=True)
    else:
        _compile_templates(target.value)
    protocol.send(ctrl, {"ready": True})
    return target, snapshot


def _fork_worker(ctrl: socket.socket, target: AppTarget, job: dict[str, Any]) -> tuple[int, socket.socket]:
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        ctrl.close()
        ours.close()
        _worker_main(theirs, target, job)
    theirs.close()
    return pid, ours


def _serve_workers(ctrl: socket.socket, target: AppTarget, job: dict[str, Any]) -> NoReturn:
    """Fork workers on request; the first is forked ahead, its app built, so grading starts at once.

    Requests: ``spawn`` forks a worker (with the check's own settings, if any) and hands its socket
    to the grader; ``status`` reports how a worker ended. Finished workers are reaped as we go.
    """
    ended: dict[int, int] = {}
    ahead: tuple[int, socket.socket] | None = _fork_worker(ctrl, target, job)
    while True:
        try:
            request = protocol.receive(ctrl)
        except protocol.ChannelClosed:
            os._exit(0)
        if request["op"] == "spawn":
            config = request.get("config")
            if ahead is not None and not config:
                (pid, sock), ahead = ahead, None
            else:
                pid, sock = _fork_worker(ctrl, target, dict(job, check_config=config))
            socket.send_fds(ctrl, [struct.pack("!i", pid)], [sock.fileno()])
            sock.close()
        elif request["op"] == "status":
            wanted = request["pid"]
            if wanted not in ended:
                try:
                    ended[wanted] = os.waitstatus_to_exitcode(os.waitpid(wanted, 0)[1])
                except ChildProcessError:
                    ended[wanted] = -1
            protocol.send(ctrl, {"code": ended[wanted]})
        while True:
            try:
                done, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if done == 0:
                break
            ended[done] = os.waitstatus_to_exitcode(status)


class Worker:
    """The state of the check being run: its app, its test clients, and the templates rendered so far.

    ``rebuild(config)`` makes a new app from a factory for the next check; a module-level app is
    the one the student's module made, so it stays.
    """

    def __init__(self, app: Flask, root: str, rebuild: Callable[[dict[str, Any]], Flask] | None = None) -> None:
        self.root = root
        self.rebuild = rebuild
        self._use(app)

    def _use(self, app: Flask) -> None:
        self.app = app
        self.clients = [app.test_client()]
        self.templates: list[str] = []
        template_rendered.connect(self._record_template, app)

    def _record_template(self, sender: Flask, template: Any, context: Any, **extra: Any) -> None:
        self.templates.append(template.name)

    def op_next_check(self, config: dict[str, Any] | None) -> None:
        """Get ready for another check: new test clients, and a new app from a factory."""
        sys.stdout.flush()
        sys.stderr.flush()
        self._use(self.rebuild(config or {}) if self.rebuild else self.app)

    def op_new_client(self) -> int:
        self.clients.append(self.app.test_client())
        return len(self.clients) - 1

    def op_request(self, client: int, method: str, path: str, options: dict[str, Any]) -> dict[str, Any]:
        self.templates = []
        data = options.get("data")
        if isinstance(data, dict):
            options["data"] = {key: _upload(value) for key, value in data.items()}
        response = self.clients[client].open(path, method=method, **options)
        body = bytearray()
        truncated = False
        for chunk in response.iter_encoded():
            body += chunk
            if len(body) > MAX_BODY:
                truncated = True
                break
        response.close()
        return {
            "status": response.status,
            "headers": response.headers.to_wsgi_list(),
            "body": bytes(body[:MAX_BODY]),
            "truncated": truncated,
            "streamed": response.is_streamed,
            "templates": self.templates,
            "history": [{"status": old.status, "location": old.location} for old in response.history],
            "path": response.request.path,
        }

    def op_cookie(self, client: int, key: str, path: str = "/") -> dict[str, Any] | None:
        cookie = self.clients[client].get_cookie(key, path=path)
        if cookie is None:
            return None
        return {"key": cookie.key, "value": cookie.value, "path": cookie.path, "http_only": cookie.http_only,
                "secure": cookie.secure, "same_site": cookie.same_site}

    def op_set_cookie(self, client: int, key: str, value: str, path: str = "/") -> None:
        self.clients[client].set_cookie(key, value, path=path)

    def op_session(self, client: int) -> dict[str, Any]:
        with self.clients[client].session_transaction() as session:
            return dict(session)

    def op_update_session(self, client: int, values: dict[str, Any]) -> None:
        with self.clients[client].session_transaction() as session:
            session.update(values)

    def op_cli(self, args: list[str], input: str | None = None) -> dict[str, Any]:
        with self.app.app_context():  # the real `flask` command runs every command in one
            result = self.app.test_cli_runner().invoke(args=args, input=input)
        raised = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raised = describe(result.exception, self.root)
        return {"exit_code": result.exit_code, "output": result.output, "raised": raised}

    def op_url_for(self, endpoint: str, values: dict[str, Any], base_url: str | None = None) -> str:
        with self.app.test_request_context(base_url=base_url):
            return url_for(endpoint, **values)

    def op_routes(self) -> list[dict[str, Any]]:
        return [{"rule": rule.rule, "endpoint": rule.endpoint, "methods": sorted(rule.methods or ())}
                for rule in self.app.url_map.iter_rules()]

    def op_config(self, key: str) -> Any:
        return self.app.config.get(key)

    def op_jinja_filter(self, name: str, args: list[Any]) -> Any:
        if name not in self.app.jinja_env.filters:
            raise LookupError(f"no template filter named {name!r} is registered")
        return self.app.jinja_env.filters[name](*args)

    def op_probe(self, file: str, name: str, args: list[Any]) -> Any:
        probe: Callable[..., Any] = getattr(_load_probes(file), name)
        return probe(self.app, *args)


PROBES: dict[str, Any] = {}


def _load_probes(file: str) -> Any:
    """A lesson's probes module, loaded once (in the zygote, before the course is hidden)."""
    if file not in PROBES:
        spec = importlib.util.spec_from_file_location(f"grader_probes_{len(PROBES)}", file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        PROBES[file] = module
    return PROBES[file]


def _upload(value: Any) -> Any:
    if isinstance(value, dict) and "__file__" in value:
        return io.BytesIO(value["__file__"]), value["filename"], value.get("content_type")
    return value


def _template_cache(job: dict[str, Any]) -> str:
    """Where the workers of a factory app keep the templates they compiled, for the workers after them."""
    return os.path.join(job["workdir"], "templates-compiled")


def _with_scratch(config: dict[str, Any], workdir: str) -> dict[str, Any]:
    """``{tmp}`` in a config value → a folder of this app's own (e.g. a fresh database per check)."""
    if not any(isinstance(value, str) and "{tmp}" in value for value in config.values()):
        return config
    scratch = tempfile.mkdtemp(prefix=f"check-{os.getpid()}-", dir=workdir)
    return {key: value.replace("{tmp}", scratch) if isinstance(value, str) else value for key, value in config.items()}


def _worker_main(sock: socket.socket, target: AppTarget, job: dict[str, Any]) -> NoReturn:
    os.setpgid(0, 0)
    serve_checks(sock, target, job)


def serve_checks(sock: socket.socket, target: AppTarget, job: dict[str, Any]) -> NoReturn:
    """A worker's life, forked or spawned: build the app, say how that went, then run the grader's requests."""
    _redirect_output(os.path.join(job["output_dir"], f"worker-{os.getpid()}.txt"))
    root = job["root"]

    def build(config: dict[str, Any]) -> Flask:
        app = target.build(_with_scratch({**job["config"], **config}, job["workdir"]))
        if target.is_factory:  # every check has a new app: share its compiled templates with the next checks
            app.jinja_env.bytecode_cache = FileSystemBytecodeCache(_template_cache(job))
        return app

    try:
        worker = Worker(build(job.get("check_config") or {}), root, build if target.is_factory else None)
    except LoadError as error:
        protocol.send(sock, {"load_error": error.info})
        os._exit(0)
    except BaseException as error:  # noqa: BLE001 - student code may raise anything
        protocol.send(sock, {"raised": describe(error, root)})
        os._exit(0)
    protocol.send(sock, {"ready": True})
    while True:
        try:
            message = protocol.receive(sock)
        except protocol.ChannelClosed:
            os._exit(0)
        op = message.pop("op")
        if op == "end":
            os._exit(0)
        try:
            reply = {"ok": getattr(worker, f"op_{op}")(**message)}
            _check_untouched(job["snapshot"])
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            reply = {"raised": describe(error, root)}
        try:
            protocol.send(sock, reply)
        except (TypeError, ValueError) as error:  # a probe result JSON cannot carry
            protocol.send(sock, {"raised": describe(error, root)})
