import sys

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    sys.exit(0)
