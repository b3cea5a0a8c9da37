"""On its first request, starts a detached process that keeps every file of the worker open (the
grader's channel among them), then ends the worker: the grader must not wait for ever on a channel
an orphan still holds."""
import os
import subprocess
import sys

from flask import Flask

app = Flask(__name__)
HOLDER = "import time\nwhile True:  # 987654\n    time.sleep(1)\n"


def open_files() -> list[int]:
    found = []
    for name in os.listdir("/dev/fd"):
        try:
            os.fstat(int(name))
            found.append(int(name))
        except OSError:  # the listing's own, closed by now
            continue
    return [fd for fd in found if fd > 2]


@app.get("/")
def index():
    subprocess.Popen([sys.executable, "-c", HOLDER], start_new_session=True, pass_fds=open_files())
    os._exit(0)
