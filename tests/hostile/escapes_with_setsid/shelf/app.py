"""Leaves a detached process behind: fork, setsid, then sleep for ever."""
import os

from flask import Flask

app = Flask(__name__)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "987654"])
    os._exit(0)
