from flask import Flask
import flask_shiny_widgets

app = Flask(__name__)
