"""How a sandbox process restricts itself before it runs student code: a scratch folder of its own, the
file system confined, an unprivileged user, the memory and file-size limits.

Shared by the forked zygote (``child``), a spawned worker (``spawned``) and a notebook's kernel
(``notebook``). Each step does what this system allows: Windows has no ``resource`` module, and macOS
refuses (and would ignore) an address-space limit; ``capabilities`` says which protections that leaves.
"""

from __future__ import annotations

import contextlib
import ctypes
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


PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, LINUX_CAPABILITY_VERSION_3 = 24, 38, 0x20080522

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
        confine(job["workdir"], job["hidden"], network=job["network"], size=job.get("folder_bytes"))
    except OSError as error:
        print(f"grader: file system not confined ({error})", file=sys.stderr)
        return False
    return True


def _drop_capabilities() -> None:
    """Give up every capability, for good: started as a user, the sandbox's user namespace gave it them all
    there, enough to unmount what hides the course."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in range(64):  # past the last one the kernel knows, prctl fails: nothing to drop
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)  # this process
    none = (ctypes.c_uint32 * 6)()  # effective, permitted and inheritable: empty
    if libc.capset(header, none) != 0:
        raise OSError(ctypes.get_errno(), "cannot give up the sandbox's capabilities")
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def drop_privileges(workdir: str, user: int | None) -> None:
    """Become ``user`` (from ``processes.sandbox_user``), the owner of the sandbox's folder: the submission
    can then write only there, signal only its own processes, and start only so many of them. Without
    a user (not started as root), keep ours, with no capabilities."""
    if user is None:
        if sys.platform.startswith("linux"):
            _drop_capabilities()
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
