from flask import Flask

from shelf import storage

app = Flask(__name__)
