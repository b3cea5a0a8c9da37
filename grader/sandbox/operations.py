"""What a worker does with the student's app: the operations a check calls (requests, cookies, the
session, CLI commands, URLs, probes), each run on the app inside the sandbox and answered as plain data.

One ``Worker`` holds the state of the check being run; ``child.py`` receives each operation from the
grader and calls ``op_<name>`` here.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask, template_rendered, url_for

from .explain import describe

MAX_BODY = 8 * 1024 * 1024


class Worker:
    """The state of the check being run: its app, its test clients, and the templates rendered so far.

    ``rebuild(config)`` makes a new app: from a factory, or (the portable sandbox, where a new process
    starts an interpreter) by importing the student's modules anew. The checks that follow one another here
    share one app per check settings, as a module-level app is shared: building a factory app (and
    loading its templates on its first request) costs more than most checks. Whatever a check leaves
    in that app cannot fail a later one, which runs again on a never-used app when it fails here.
    """

    def __init__(self, app: Flask, root: str, rebuild: Callable[[dict[str, Any]], Flask] | None = None,
                 config: dict[str, Any] | None = None) -> None:
        self.root = root
        self.rebuild = rebuild
        self.apps = {_settings_key(config): app}
        self._use(app)

    def _use(self, app: Flask) -> None:
        self.app = app
        self.clients = [app.test_client()]
        self.templates: list[str] = []
        template_rendered.connect(self._record_template, app)

    def _record_template(self, sender: Flask, template: Any, context: Any, **extra: Any) -> None:
        self.templates.append(template.name)

    def op_next_check(self, config: dict[str, Any] | None, new_app: bool = False) -> bool:
        """Get ready for another check: new test clients, on the app made for the check's settings (with
        ``new_app``, one made now). False if a new app was asked for and none can be made here."""
        sys.stdout.flush()
        sys.stderr.flush()
        if self.rebuild is None:
            self._use(self.app)
            return not new_app
        key = _settings_key(config)
        if new_app or key not in self.apps:
            self.apps[key] = self.rebuild(config or {})
        self._use(self.apps[key])
        return True

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
        probe: Callable[..., Any] = getattr(load_probes(file), name)
        return probe(self.app, *args)


PROBES: dict[str, Any] = {}


def load_probes(file: str) -> Any:
    """A lesson's probes module, loaded once (in the zygote, before the course is hidden)."""
    if file not in PROBES:
        spec = importlib.util.spec_from_file_location(f"grader_probes_{len(PROBES)}", file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        PROBES[file] = module
    return PROBES[file]


def _settings_key(config: dict[str, Any] | None) -> str:
    """Which app a check's own settings call for: checks with the same settings share one."""
    return json.dumps(config or {}, sort_keys=True)


def _upload(value: Any) -> Any:
    if isinstance(value, dict) and "__file__" in value:
        return io.BytesIO(value["__file__"]), value["filename"], value.get("content_type")
    return value
