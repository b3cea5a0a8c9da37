from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    visits = None
    return "Welcome to Shelf, visitor number " + visits + 1
