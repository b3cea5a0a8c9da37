from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    for _ in range(200_000):
        print("debugging output " * 10)
    return "Welcome to Shelf"
