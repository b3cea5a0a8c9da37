"""What a check holds: stand-ins for Flask's app, test client and CLI runner.

They look like Flask's own (``client.get("/")``, ``app.test_client()``, ``runner.invoke(...)``)
but every call runs in the sandboxed worker, and what comes back is plain data rebuilt here into
Werkzeug objects. A check can therefore be read as ordinary Flask test code.
"""

from __future__ import annotations

import http.client
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response as WerkzeugResponse

from .sandbox import Worker

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


class Response(WerkzeugResponse):
    """A response the student's app sent, plus what the check needs to explain it."""

    sent: str
    templates: list[str]
    history: list[dict[str, Any]]
    path: str
    truncated: bool
    streamed: bool
    app: App

    @classmethod
    def from_data(cls, data: dict[str, Any], sent: str, app: App) -> Response:
        response = cls(data["body"], status=data["status"])
        response.headers = Headers([tuple(pair) for pair in data["headers"]])
        response.sent = sent
        response.templates = data["templates"]
        response.history = data["history"]
        response.path = data["path"]
        response.truncated = data["truncated"]
        response.streamed = data["streamed"]
        response.app = app
        return response

    @property
    def is_streamed(self) -> bool:  # type: ignore[override]
        return self.streamed

    @property
    def text(self) -> str:
        return self.get_data(as_text=True)


@dataclass(frozen=True)
class Cookie:
    key: str
    value: str
    path: str
    http_only: bool
    secure: bool
    same_site: str | None


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    output: str
    raised: dict[str, Any] | None


def _describe_request(method: str, path: str, options: dict[str, Any]) -> str:
    text = f"{method} {path}"
    if options.get("base_url"):
        text += f" (app mounted at {options['base_url']})"
    if options.get("query_string"):
        text += f" with query {options['query_string']!r}"
    if "json" in options:
        text += f" with JSON {options['json']!r}"
    elif options.get("data") is not None:
        data = options["data"]
        shown = {k: ("<file>" if isinstance(v, dict) and "__file__" in v else v) for k, v in data.items()} \
            if isinstance(data, dict) else data
        text += f" with form {shown!r}" if isinstance(data, dict) else f" with body {shown!r}"
    if options.get("headers"):
        text += f" with headers {options['headers']!r}"
    return text


def _file_field(value: Any) -> Any:
    """``(bytes or file, filename[, content_type])`` → the tagged form the worker rebuilds."""
    if isinstance(value, tuple) and len(value) in (2, 3):
        content = value[0].read() if isinstance(value[0], io.IOBase) else value[0]
        return {"__file__": content, "filename": value[1], "content_type": value[2] if len(value) == 3 else None}
    return value


class Client:
    """Like ``app.test_client()``: keeps cookies between requests."""

    def __init__(self, app: App, number: int) -> None:
        self.app = app
        self.number = number

    def open(self, path: str, method: str = "GET", **options: Any) -> Response:
        if isinstance(options.get("data"), dict):
            options["data"] = {key: _file_field(value) for key, value in options["data"].items()}
        if isinstance(options.get("headers"), Headers):
            options["headers"] = list(options["headers"].items())
        sent = _describe_request(method.upper(), path, options)
        data = self.app.worker.call(sent, "request", client=self.number, method=method.upper(), path=path,
                                    options=options)
        return Response.from_data(data, sent, self.app)

    def __getattr__(self, name: str) -> Any:
        if name in METHODS:
            return lambda path, **options: self.open(path, method=name.upper(), **options)
        raise AttributeError(name)

    def get_cookie(self, key: str, path: str = "/") -> Cookie | None:
        data = self.app.worker.call(f"reading the cookie {key!r}", "cookie", client=self.number, key=key, path=path)
        return None if data is None else Cookie(**data)

    def set_cookie(self, key: str, value: str, path: str = "/") -> None:
        """Put a cookie in the client's jar, as if an earlier response (or a browser) had set it."""
        self.app.worker.call(f"setting the cookie {key}={value!r}", "set_cookie", client=self.number, key=key,
                             value=value, path=path)

    def session(self) -> dict[str, Any]:
        """The client's session, decoded from its signed cookie."""
        return self.app.worker.call("reading the session", "session", client=self.number)

    def update_session(self, **values: Any) -> None:
        self.app.worker.call("setting up the session", "update_session", client=self.number, values=values)


class CliRunner:
    """Like ``app.test_cli_runner()``."""

    def __init__(self, app: App) -> None:
        self.app = app

    def invoke(self, args: list[str], input: str | None = None) -> CliResult:
        data = self.app.worker.call(f"flask {' '.join(args)}", "cli", args=list(args), input=input)
        return CliResult(**data)


class _SandboxConnection(http.client.HTTPConnection):
    """Connects (when the first request is sent, as its base class does) inside the sandbox's network."""

    def __init__(self, worker: Worker, port: int, timeout: float) -> None:
        super().__init__("127.0.0.1", port, timeout=timeout)
        self.worker = worker

    def connect(self) -> None:
        self.sock = self.worker.connect(self.port, self.timeout)


class App:
    """The student's app in its worker process, fresh for this check."""

    def __init__(self, worker: Worker, probes: Path | None) -> None:
        self.worker = worker
        self.probes = probes
        self.clients = 0

    def test_client(self) -> Client:
        """The first client exists already in the worker; later ones are made there on demand."""
        number = self.worker.call("making another test client", "new_client") if self.clients else 0
        self.clients += 1
        return Client(self, number)

    def test_cli_runner(self) -> CliRunner:
        return CliRunner(self)

    def url_for(self, endpoint: str, base_url: str | None = None, **values: Any) -> str:
        shown = ", ".join([repr(endpoint), *(f"{k}={v!r}" for k, v in values.items())])
        return self.worker.call(f"url_for({shown})", "url_for", endpoint=endpoint, values=values, base_url=base_url)

    def routes(self) -> list[dict[str, Any]]:
        return self.worker.call("listing the routes", "routes")

    def config(self, key: str) -> Any:
        return self.worker.call(f"reading app.config[{key!r}]", "config", key=key)

    def jinja_filter(self, name: str, *args: Any) -> Any:
        shown = ", ".join(repr(arg) for arg in args)
        return self.worker.call(f"the template filter {name}({shown})", "jinja_filter", name=name, args=list(args))

    def http_connection(self, port: int, timeout: float = 3) -> http.client.HTTPConnection:
        """An HTTP connection to the server the student's code started on 127.0.0.1:``port``: the sandbox
        has a network of its own, which a plain ``HTTPConnection("127.0.0.1", port)`` cannot reach."""
        return _SandboxConnection(self.worker, port, timeout)

    def probe(self, name: str, *args: Any) -> Any:
        """Run ``name(app, *args)`` from the lesson's ``probes.py`` inside the sandbox."""
        if self.probes is None:
            raise LookupError("this lesson has no probes.py")
        return self.worker.call(f"{name.replace('_', ' ')}", "probe", file=str(self.probes), name=name,
                                args=list(args))
