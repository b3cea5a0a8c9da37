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
from pathlib import Path
from typing import Any

from .confine import confine
from .processes import chown_tree

try:
    import resource
except ImportError:  # Windows: no resource limits
    resource = None  # type: ignore[assignment]


# What a sandbox keeps of the grader's environment: what Python, Jupyter and the system need, and the
# grader's own settings. Nothing else: an instructor's tokens and passwords stay out of student code.
KEPT_VARIABLES = {"PATH", "LANG", "TZ", "TERM", "VIRTUAL_ENV", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT"}
KEPT_PREFIXES = ("LC_", "PYTHON", "GRADE_", "JPY_", "JUPYTER_", "IPYTHON")


def use_own_folders(workdir: str) -> None:
    """Temporary files and the home folder are the sandbox's own folder's, deleted with it; the rest of
    the environment is dropped but for ``KEPT_VARIABLES`` and ``KEPT_PREFIXES``."""
    scratch = os.path.join(workdir, "tmp")
    os.makedirs(scratch, exist_ok=True)
    for name in list(os.environ):
        if name.upper() not in KEPT_VARIABLES and not name.upper().startswith(KEPT_PREFIXES):
            del os.environ[name]
    for name in ("TMPDIR", "TEMP", "TMP"):
        os.environ[name] = scratch
    os.environ["HOME"] = os.environ["USERPROFILE"] = workdir
    tempfile.tempdir = scratch


def confine_job(job: dict[str, Any]) -> bool:
    """Read-only file system but for the submission's copy; the course and private folders hidden.
    Says whether the kernel allowed it."""
    use_own_folders(job["workdir"])
    try:
        confine(job["workdir"], job["hidden"], network=job["network"])
    except OSError as error:
        print(f"grader: file system not confined ({error})", file=sys.stderr)
        return False
    return True


def drop_privileges(workdir: str, user: int | None) -> None:
    """Become ``user`` (from ``processes.sandbox_user``), the owner of the sandbox's folder: the submission
    can then write only there, signal only its own processes, and start only so many of them."""
    if user is None:
        return
    chown_tree(Path(workdir), user, user)
    os.setgroups([])
    os.setgid(user)
    os.setuid(user)
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
