"""Writes into its own folder while being graded."""
from pathlib import Path

from flask import Flask

app = Flask(__name__)
Path(__file__).write_text("# overwritten by the submission\n")
(Path(__file__).parent / "planted.txt").write_text("planted")
