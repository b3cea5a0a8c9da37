"""How a sandbox process restricts itself before it runs student code: a scratch folder of its own, the
file system confined, an unprivileged user, the memory and file-size limits.

Shared by the forked zygote (``child``), a spawned worker (``spawned``) and a notebook's kernel
(``notebook``). Each step does what this system allows: Windows has no ``resource`` module, and macOS
refuses (and would ignore) an address-space limit; ``capabilities`` says which protections that leaves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from typing import Any

from .confine import confine

try:
    import resource
except ImportError:  # Windows: no resource limits
    resource = None  # type: ignore[assignment]


def use_scratch(workdir: str) -> None:
    """Temporary files go to the sandbox's own folder, which is deleted with it."""
    scratch = os.path.join(workdir, "tmp")
    os.makedirs(scratch, exist_ok=True)
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = scratch


def confine_job(job: dict[str, Any]) -> None:
    """Read-only file system but for the submission's copy; solutions and checks hidden."""
    use_scratch(job["workdir"])
    try:
        confine(job["workdir"], job["hidden"])
    except OSError as error:
        print(f"grader: file system not confined ({error})", file=sys.stderr)


def drop_privileges(job: dict[str, Any]) -> None:
    """As root, become an unprivileged user: the submission can then touch only its own copy."""
    if job["user"] is None:
        return
    uid, gid = job["user"]
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (512, 512))


def apply_limits(job: dict[str, Any]) -> None:
    """The memory and file-size limits, where the system has them."""
    if resource is None:
        return
    memory = job["memory_bytes"]
    with contextlib.suppress(ValueError, OSError):  # macOS refuses an address-space limit
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    output = job["output_bytes"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails instead of killing
