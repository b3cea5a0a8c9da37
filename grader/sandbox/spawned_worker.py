"""A spawned worker's process: ``python -m grader.sandbox.spawned_worker JOB``, the portable sandbox's
worker (see ``spawned`` for the grader's side).

It does what a forked worker does, with what a zygote did first: it connects back to the grader,
enters the submission's copy, takes the system's limits, imports the app, and once told the check's
settings, builds it and serves the grader's requests (``child.load_app``, ``child.serve_checks``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from . import protocol
from .channel import connect_back
from .child import enter_copy, load_app, serve_checks
from .restrict import apply_limits, use_own_folders


def main(job_file: str) -> NoReturn:
    """Connect back to the grader, import the app from the copy, and once told the check's settings, serve
    checks as a forked worker does."""
    sock = connect_back()
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    enter_copy(job, f"import-{os.getpid()}.txt")
    use_own_folders(job["workdir"])
    apply_limits(job)
    target, guard = load_app(sock, job)
    try:
        config = protocol.receive(sock)["config"]
    except (protocol.ChannelClosed, KeyError):  # a spare the grader no longer needs
        os._exit(0)
    output = os.path.join(job["output_dir"], f"worker-{os.getpid()}.txt")
    # A check that needs a new module-level app imports the student's modules anew, here: a process would
    # cost an interpreter's start (a forked worker gets one from its zygote instead).
    serve_checks(sock, target, dict(job, guard=guard, check_config=config, output=output, import_anew=True))


if __name__ == "__main__":
    main(sys.argv[1])
