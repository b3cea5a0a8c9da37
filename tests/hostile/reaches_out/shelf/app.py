"""Reaches for what lies outside its copy: the course's git history, home folders, the grader's own
process, other sandboxes in the shared temporary folders, the instructor's environment, a server on
the machine, the warm grade process's socket, the machine's processes, and what hides them all; reports what it
got, and who it runs as."""
import ctypes
import os
import socket
from pathlib import Path

import grader
from flask import Flask

app = Flask(__name__)
HERE = Path(__file__).parent
COURSE = Path(grader.__file__).resolve().parent.parent


def unhide() -> list[str]:
    """Unmount, again and again, whatever lies over the course and the home folders; then look."""
    libc = ctypes.CDLL(None, use_errno=True)
    for _ in range(5):
        for folder in (COURSE, Path("/home"), Path("/root")):
            libc.umount2(str(folder).encode(), 2)
    return os.listdir(COURSE / "exercises")


def attempt(read) -> str:
    try:
        return f"got: {read()!r}"[:60]
    except OSError as error:
        return f"refused: {type(error).__name__}"


seen = {
    "git": attempt(lambda: (COURSE / ".git" / "HEAD").read_text()),
    "exercises": attempt(lambda: os.listdir(COURSE / "exercises")),
    "unmounted": attempt(unhide),
    "root": attempt(lambda: os.listdir("/root")),
    "home": attempt(lambda: [name for name in os.listdir("/home")]),
    "grader": attempt(lambda: os.listdir(f"/proc/{os.getppid()}/root/")),
    "shm": attempt(lambda: [name for name in os.listdir("/dev/shm") if name.startswith("grade-")]),
    "tmp": attempt(lambda: os.listdir("/tmp")),
    "top": os.listdir("/"),
    "processes": sorted(int(name) for name in os.listdir("/proc") if name.isdigit()),
    "uid": os.getuid(),
    "secret": os.environ.get("INSTRUCTOR_TOKEN"),
    "server": attempt(lambda: socket.create_connection(("127.0.0.1", int((HERE / "port.txt").read_text())),
                                                       timeout=1).close()),
    "warm": attempt(lambda: socket.socket(socket.AF_UNIX).connect((HERE / "warm.txt").read_text())),
}


@app.get("/")
def index():
    return seen
