from flask import Flask

app = Flask(__name__)
ITEMS = {"count": 3}
print(ITEMS["total"])
