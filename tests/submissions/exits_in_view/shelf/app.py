import os

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    os._exit(3)
