"""Patches the response machinery from inside a view, at request time."""
from flask import Flask
from werkzeug.wrappers import Response

app = Flask(__name__)


@app.get("/")
def index():
    Response.iter_encoded = lambda self: iter([b"Welcome to Shelf"])
    return "nothing here"
