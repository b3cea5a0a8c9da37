"""A view that ignores SIGTERM and never returns."""
import signal

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        pass
