"""Find and import a student's Flask app, and explain in plain words why it would not load.

A lesson names its app as ``"module:attribute"``: ``"shelf.app:app"`` for a module-level app,
``"shelf:create_app"`` for an application factory (called with a test config for every check).
Runs inside the sandbox.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from dataclasses import dataclass
from typing import Any

from flask import Flask

from .explain import describe, shown


class RunAtImport(BaseException):
    """Raised in place of ``Flask.run`` while the grader imports student code."""


class LoadError(Exception):
    """The app could not be loaded; ``info`` says why, in plain words."""

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info["title"])
        self.info = info


def _refuse_run(self: Flask, *args: Any, **kwargs: Any) -> None:
    raise RunAtImport


@dataclass
class AppTarget:
    """What ``"module:attribute"`` points at in the student's code."""

    spec: str
    value: Any

    @property
    def is_factory(self) -> bool:
        return not isinstance(self.value, Flask)

    def build(self, test_config: dict[str, Any]) -> Flask:
        """A fresh app: the module-level one as imported, or a new one from the factory."""
        if not self.is_factory:
            self.value.config["TESTING"] = True
            return self.value
        app = self.value({"TESTING": True, **test_config})
        if not isinstance(app, Flask):
            raise LoadError({
                "title": f"{self.spec}() returned {type(app).__name__}, not a Flask app",
                "detail": "An application factory must end with `return app`.",
            })
        return app


def _module_file(module: str, root: str) -> str:
    parts = module.split(".")
    package = os.path.join(root, *parts, "__init__.py")
    return shown(package, root) if os.path.exists(package) else "/".join(parts) + ".py"


def _explain_import(error: BaseException, module: str, root: str) -> dict[str, Any]:
    described = describe(error, root)
    where = described["frames"][-1] if described["frames"] else None
    info: dict[str, Any] = {"error": described, "where": where}
    if isinstance(error, RunAtImport):
        info["title"] = "Your code calls app.run() while it is being imported"
        info["detail"] = (
            "The grader (like `flask run`) imports your module to find the app, so app.run() at import "
            "time would start a server that never returns. Delete it, or move it under "
            "`if __name__ == \"__main__\":`, and start the server with `flask --app shelf.app run --debug`."
        )
    elif isinstance(error, SyntaxError):
        filename = error.filename or ""
        relative = shown(filename, root) if filename.startswith(root) else filename
        info["title"] = f"Python cannot read {relative}: {error.msg} (line {error.lineno})"
        info["where"] = {"file": relative, "line": error.lineno, "code": (error.text or "").rstrip(),
                         "offset": error.offset}
        info["detail"] = "Look at that line and the one before it: a missing colon, bracket or quote is the usual cause."
    elif isinstance(error, ModuleNotFoundError):
        missing = error.name or "?"
        top = module.split(".")[0]
        if missing == top or missing.startswith(top + "."):
            info["title"] = f"There is no module {missing} in your folder"
            info["detail"] = (f"Python looked for {missing.replace('.', '/')}.py (or a package folder with "
                              "__init__.py). Check the file name and that you run the grader on the right folder.")
        else:
            info["title"] = f"Your code imports {missing}, which is not installed"
            info["detail"] = f"Install it into the course's environment (`pip install {missing}`), or remove the import."
    elif isinstance(error, ImportError):
        info["title"] = f"An import failed: {described['message']}"
        info["detail"] = "Check the spelling of the name you import, and that it exists in that module."
    else:
        info["title"] = f"Your code raised {described['type']} while being imported"
        info["detail"] = described["message"]
    return info


def load(spec: str, root: str) -> AppTarget:
    """Import the student's module and return what ``spec`` names; raise LoadError if that fails."""
    module_name, _, attribute = spec.partition(":")
    Flask.run = _refuse_run  # type: ignore[method-assign]
    top = module_name.split(".")[0]
    if not (os.path.isdir(os.path.join(root, top)) or os.path.exists(os.path.join(root, top + ".py"))):
        raise LoadError({
            "title": f"No {top}/ folder found in the submission",
            "detail": f"The grader expects your app in {_module_file(module_name, root)}. "
                      "Point --path at the folder that contains it.",
        })
    try:
        module = importlib.import_module(module_name)
    except BaseException as error:  # noqa: BLE001 - student code may raise anything, even SystemExit
        raise LoadError(_explain_import(error, module_name, root)) from None
    if not hasattr(module, attribute):
        kind = "an application factory `def create_app(test_config=None):`" if attribute == "create_app" \
            else f"a variable `{attribute} = Flask(__name__)`"
        raise LoadError({
            "title": f"{_module_file(module_name, root)} has no {attribute}",
            "detail": f"The grader looks for {kind} in {_module_file(module_name, root)}.",
        })
    value = getattr(module, attribute)
    if not isinstance(value, Flask) and not inspect.isfunction(value):
        raise LoadError({
            "title": f"{attribute} in {_module_file(module_name, root)} is a {type(value).__name__}, not a Flask app",
            "detail": f"Create it with `{attribute} = Flask(__name__)`. To add WSGI middleware, wrap "
                      f"`{attribute}.wsgi_app`, never `{attribute}` itself.",
        })
    return AppTarget(spec, value)


def load_anew(spec: str, root: str) -> AppTarget:
    """``load`` as a new process would: the modules imported from the submission are forgotten first, so
    that its code runs again and a module-level app is made anew."""
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(root + os.sep):
            del sys.modules[name]
    return load(spec, root)
