"""A view that allocates without end."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))
