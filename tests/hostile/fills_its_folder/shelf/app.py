"""Writes 1 MB files without end into every folder it may write in (its copy, its home and
temporary folders, the shared memory folder), hoping to fill the machine's memory; reports how
many megabytes each took before it was refused."""
import os
import tempfile

from flask import Flask

app = Flask(__name__)
MEGABYTE = b"x" * 2**20


def fill(folder: str, most: int = 600) -> int:
    for written in range(most):
        try:
            with open(os.path.join(folder, f"fill-{written}.bin"), "wb") as file:
                file.write(MEGABYTE)
        except OSError:
            return written
    return most


took = {"copy": fill("."), "temporary": fill(tempfile.gettempdir()), "shm": fill("/dev/shm")}


@app.get("/")
def index():
    return took
