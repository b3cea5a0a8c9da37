"""Looks for the solutions and checks, and tries to rewrite the grader, then reports what it saw."""
import json
from pathlib import Path

import grader
from flask import Flask

app = Flask(__name__)
COURSE = Path(grader.__file__).resolve().parent.parent
attempts = {}
for name, path in {"solution": COURSE / "solutions" / "lesson1" / "shelf" / "app.py",
                   "checks": COURSE / "lessons" / "lesson1" / "checks.py"}.items():
    try:
        attempts[name] = path.read_text()[:40]
    except OSError as error:
        attempts[name] = f"refused: {type(error).__name__}"
try:
    (Path(grader.__file__).parent / "planted.py").write_text("print('owned')\n")
    attempts["write"] = "written"
except OSError as error:
    attempts["write"] = f"refused: {type(error).__name__}"


@app.get("/")
def index():
    return attempts
