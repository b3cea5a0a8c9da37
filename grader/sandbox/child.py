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
import importlib
import inspect
import mimetypes
import os
import select
import socket
import struct
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

from flask import Flask, url_for
from jinja2 import FileSystemBytecodeCache

from . import protocol
from .explain import describe
from .loading import AppTarget, LoadError, load, load_anew
from .operations import PROBES, Worker, load_probes
from .processes import own_processes, sandbox_user
from .restrict import apply_limits, confine_job, drop_privileges
from .url_builders import compile_once


# Whole modules the grader's side of a worker relies on: every function and class in them, every
# method of those classes, and each function's code, must stay as they were before student code ran.
GUARDED_MODULES = ("flask.testing", "flask.wrappers", "werkzeug.test", "werkzeug.wrappers.response",
                   "werkzeug.wrappers.request", "werkzeug.sansio.response", "werkzeug.sansio.request",
                   "werkzeug.datastructures", "json", "json.encoder", "base64", protocol.__name__,
                   Worker.__module__, describe.__module__, __name__)


def _function(value: Any) -> Any:
    """What a class attribute calls: the function in a staticmethod or classmethod, else the value itself."""
    return value.__func__ if isinstance(value, (staticmethod, classmethod)) else value


def _is_tool(value: Any) -> bool:
    """Is this class or module attribute one the guard keeps: a function, method, property or class?"""
    return (inspect.isfunction(_function(value)) or isinstance(value, property) or inspect.isbuiltin(value)
            or inspect.ismethoddescriptor(value) or inspect.isclass(value))


class Tampering(Exception):
    """Student code replaced one of the grader's tools inside the sandbox."""


class Guard:
    """The tools the grader's side of this process relies on, as they were before student code ran: the
    guarded modules' and the lesson's probes' functions (and their code), classes and the methods of
    those classes, and a few outside them (the socket a reply goes out on, os._exit).

    Made once; ``check`` (before every reply) only compares what it recorded with what is there now.
    """

    def __init__(self) -> None:
        self.outside = [(socket.socket, "sendall", socket.socket.sendall), (os, "_exit", os._exit)]
        self.kept: list[tuple[str, Any, str, Any]] = []  # (label, namespace, name, value): ``value is namespace[name]``
        self.modules = [(name, importlib.import_module(name)) for name in GUARDED_MODULES]
        self.codes: list[tuple[str, Any, Any]] = []  # (label, function, its code)
        self.classes: list[tuple[str, type, frozenset[str]]] = []  # and the names they had: none may be added
        for name, module in self.modules:
            self._keep(module, f"{name}.")
        for file, module in PROBES.items():
            self._keep(module, f"{Path(file).parent.name} probes.")

    def _keep(self, owner: Any, prefix: str, depth: int = 0) -> None:
        namespace = vars(owner)
        for name, value in list(namespace.items()):
            if not _is_tool(value):
                continue
            self.kept.append((f"{prefix}{name}", namespace, name, value))
            function = _function(value)
            if inspect.isfunction(function):
                self.codes.append((f"{prefix}{name}.__code__", function, function.__code__))
            elif inspect.isclass(value) and depth == 0 and value.__module__ == getattr(owner, "__name__", None):
                self.classes.append((f"{prefix}{name}", value, frozenset(vars(value))))
                self._keep(value, f"{prefix}{name}.", depth + 1)

    def check(self) -> None:
        """Raise Tampering if student code replaced a tool, its code, a guarded module, or put a method on
        a guarded class (over its base's)."""
        for owner, name, value in self.outside:
            if getattr(owner, name) is not value:
                self._refuse(f"{owner.__name__}.{name}")
        for label, namespace, name, value in self.kept:
            if namespace.get(name) is not value:
                self._refuse(label)
        for label, function, code in self.codes:
            if function.__code__ is not code:
                self._refuse(label)
        for name, module in self.modules:
            if sys.modules.get(name) is not module:
                self._refuse(name)
        for label, cls, names in self.classes:
            added = [name for name in vars(cls).keys() - names if _is_tool(vars(cls)[name])]
            if added:
                self._refuse(f"{label}.{added[0]}")

    @staticmethod
    def _refuse(label: str) -> None:
        raise Tampering(f"your code replaced {label}, which the grader uses to test your app; "
                        "that is not allowed, and no check can pass while it is so")


def _redirect_output(target: str | int) -> None:
    """Send everything the student's code prints to ``target`` (a path, or a file the grader opened for it),
    whatever ``sys.stdout`` was before."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if isinstance(target, str) else target
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    # For the rest of the process's life: closefd=False, the descriptors stay open.
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115


@functools.cache  # once per process: a batch grader warms up before it forks, and no zygote repeats it
def warm_up() -> None:
    """Exercise a throw-away app once, so Flask's lazy imports happen here and not in every worker;
    read the system's MIME types too (which sending a static file does the first time, in every worker)."""
    mimetypes.init()
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


def zygote_main(channels: list[socket.socket], job: dict[str, Any]) -> NoReturn:
    """Import the student's app, report how that went (on the first channel), then fork a worker on
    every request that comes on any channel: a grader may run checks in two processes at once."""
    ctrl = channels[0]
    os.setpgid(0, 0)
    enter_copy(job, "import.txt")
    warm_up()
    confined = confine_job(job)
    user = sandbox_user(confined)  # named after this process, which stays outside the sandbox's own processes
    if confined:
        own_processes()
    drop_privileges(job["workdir"], user)
    apply_limits(job)
    target, guard = load_app(ctrl, job)
    gc.freeze()  # workers then never touch (and so never copy) the zygote's objects when they collect
    _serve_workers(channels, target, dict(job, guard=guard))


def enter_copy(job: dict[str, Any], output_name: str) -> None:
    """Work in the submission's copy (current folder, first on the path), printing to ``output_name`` in the
    output folder, with the lesson's probes loaded (before the course is hidden)."""
    root = job["root"]
    os.chdir(root)
    sys.path.insert(0, root)
    _redirect_output(os.path.join(job["output_dir"], output_name))
    for probes in job["probes"]:
        load_probes(probes)


def load_app(ctrl: socket.socket, job: dict[str, Any]) -> tuple[AppTarget, Guard]:
    """Import the student's app and say how that went; end the process if it did not load.

    Returns the app and the grader's tools as they were before student code ran (to catch tampering).
    Every app built in this process from now on compiles each URL rule's builders once (``url_builders``).
    """
    compile_once(os.path.join(job["workdir"], "url-builders"))
    guard = Guard()
    try:
        target = load(job["app"], job["root"])
        guard.check()
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
    return target, guard


def _fork_worker(channels: list[socket.socket], target: AppTarget, job: dict[str, Any],
                 output: int) -> tuple[int, socket.socket]:
    """Fork a worker that prints to ``output``, a file the grader opened for it (and which this process closes)."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        for ctrl in channels:
            ctrl.close()
        ours.close()
        _worker_main(theirs, target, dict(job, output=output))
    theirs.close()
    os.close(output)
    return pid, ours


def _serve_workers(channels: list[socket.socket], target: AppTarget, job: dict[str, Any]) -> NoReturn:
    """Fork workers on request; the first is forked ahead, its app built, so grading starts at once.

    Requests: ``spawn`` (followed by the file the worker is to print to) forks a worker, with the
    check's own settings if any, and hands its socket to the grader that asked, saying whether it is
    the one forked ahead (which prints to the file the grader gave first); ``status`` reports how a
    worker ended. Finished workers are reaped as we go; when every channel has closed, the zygote ends.
    """
    ended: dict[int, int] = {}
    ahead: tuple[int, socket.socket] | None = _fork_worker(channels, target, job, job["output"])
    listening = list(channels)
    while listening:
        for ctrl in select.select(listening, [], [])[0]:
            try:
                request = protocol.receive(ctrl)
                if request["op"] == "spawn":
                    _, (output, *_), _, _ = socket.recv_fds(ctrl, 1, 1)
            except (protocol.ChannelClosed, OSError, ValueError):
                listening.remove(ctrl)
                continue
            if request["op"] == "spawn":
                config = request.get("config")
                if ahead is not None and not config:
                    (pid, sock), ahead, first = ahead, None, 1
                    os.close(output)
                else:
                    pid, sock = _fork_worker(channels, target, dict(job, check_config=config), output)
                    first = 0
                socket.send_fds(ctrl, [struct.pack("!ii", pid, first)], [sock.fileno()])
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
    os._exit(0)


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
    _redirect_output(job["output"])
    root = job["root"]

    def build(config: dict[str, Any], made_by: AppTarget = target) -> Flask:
        app = made_by.build(_with_scratch({**job["config"], **config}, job["workdir"]))
        if made_by.is_factory:  # every check has a new app: share its compiled templates with the next checks
            app.jinja_env.bytecode_cache = FileSystemBytecodeCache(_template_cache(job))
        return app

    def build_anew(config: dict[str, Any]) -> Flask:
        return build(config, load_anew(job["app"], root))

    rebuild = build if target.is_factory else build_anew if job.get("import_anew") else None
    try:
        config = job.get("check_config") or {}
        worker = Worker(build(config), root, rebuild, config)
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
            job["guard"].check()
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            reply = {"raised": describe(error, root)}
        try:
            protocol.send(sock, reply)
        except (TypeError, ValueError) as error:  # a probe result JSON cannot carry
            protocol.send(sock, {"raised": describe(error, root)})
