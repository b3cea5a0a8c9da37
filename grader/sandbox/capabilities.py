"""Which mechanism runs a submission on this machine, and which protections that gives it, said plainly.

Two mechanisms: ``linux`` forks every worker from a zygote confined by Linux's namespaces (``parent``,
``child``, ``confine``); ``portable`` starts every worker as a fresh Python process (``spawned``), for
systems without fork or namespaces. ``GRADE_SANDBOX`` chooses: ``auto`` (the default: the strongest
this system has), ``linux`` (refuse to grade elsewhere), or ``portable`` (how the project's tests run
the portable mechanism on Linux).
"""

from __future__ import annotations

import functools
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from enum import Enum

from .limits import Limits

ENV = "GRADE_SANDBOX"
CHOICES = ("auto", "linux", "portable")
FULL_PROTECTION = ("for tamper-proof grades, grade on Linux (natively, in WSL or in a Linux container), "
                   "or on Gradescope (grade export gradescope LESSON)")


class Mechanism(Enum):
    LINUX = "linux"
    PORTABLE = "portable"


class Unavailable(Exception):
    """``GRADE_SANDBOX`` asks for what this system cannot do; the message says so in one line."""


def _system() -> str:
    """This system's name, as its users call it."""
    return {"Darwin": "macOS"}.get(platform.system(), platform.system())


def linux_available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def mechanism() -> Mechanism:
    """The mechanism ``GRADE_SANDBOX`` asks for, or the strongest this system has; Unavailable if it cannot be had."""
    wanted = os.environ.get(ENV, "").strip().lower() or "auto"
    if wanted not in CHOICES:
        raise Unavailable(f"{ENV}={wanted} is not a sandbox: choose {', '.join(CHOICES)}")
    if wanted == "portable" or (wanted == "auto" and not linux_available()):
        return Mechanism.PORTABLE
    if not linux_available():
        raise Unavailable(f"{ENV}=linux, but this system is {_system()}: use auto or portable")
    return Mechanism.LINUX


@functools.cache
def _probe() -> str:
    """Confine a throw-away child as a sandbox is: "ok", "ok, processes shared" (no PID namespace), or why not."""
    from .confine import confine
    from .processes import own_processes

    with tempfile.TemporaryDirectory(prefix="grade-probe-") as folder:
        hidden = os.path.join(folder, "hidden")
        os.mkdir(hidden)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                confine(folder, [hidden])
                answer = b"ok" if own_processes() else b"ok, processes shared"
                os.write(write, answer)
            except OSError as error:
                os.write(write, str(error).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            answer = pipe.read().decode(errors="replace")
        os.waitpid(pid, 0)
    return answer or "the probe died"


def confinement_refused() -> str | None:
    """Why the kernel will not confine a sandbox here (None if it will): tried once, in a throw-away child."""
    answer = _probe()
    return None if answer.startswith("ok") else answer


def own_processes_given(chosen: Mechanism) -> bool:
    """Does a sandbox get processes of its own here (a PID namespace)? Only Linux's, confined."""
    return chosen is Mechanism.LINUX and _probe() == "ok"


def memory_enforced() -> bool:
    """Does the system enforce an address-space limit (RLIMIT_AS)? Linux does; macOS ignores it; Windows has none."""
    return sys.platform.startswith(("linux", "freebsd"))


@dataclass(frozen=True)
class Protection:
    name: str
    active: bool
    how: str  # how it is given, or why it is not and what that means


def unconfined(chosen: Mechanism) -> str | None:
    """Why a submission is not confined here (its file system read-only, the course hidden); None if it is."""
    if chosen is Mechanism.PORTABLE:
        asked = f"{ENV}=portable asks for" if linux_available() else f"on {_system()}, the grader uses"
        return f"{asked} the portable sandbox, which cannot confine it"
    refused = confinement_refused()
    if refused is None:
        return None
    return f"the kernel refused a mount namespace ({refused}): grade as root, or allow unprivileged user namespaces"


def tamper_warning(chosen: Mechanism) -> str | None:
    """One line if grades here are not tamper-proof: why, and how to get them so; None if they are."""
    why = unconfined(chosen)
    if why is None:
        return None
    return (f"grades here are not tamper-proof: a submission could read the solutions and change files outside its "
            f"copy ({why}); {FULL_PROTECTION}")


def _confinement(chosen: Mechanism) -> list[Protection]:
    why = unconfined(chosen)
    if why is None:
        return [Protection("read-only file system", True,
                           "everything but the sandbox's own folder, a file system of its own that holds the "
                           "throw-away copy and all it writes (a private mount namespace)"),
                Protection("hidden course and folders", True, "a root of its own holds only the system's "
                           "folders, Python, its packages and the grader; the whole course (solutions, checks, git "
                           "history), home folders and shared temporary folders are empty even there"),
                _network(), _processes(chosen)]
    return [Protection("read-only file system", False, f"{why}; the submission can write wherever you can "
                       "(it runs on a throw-away copy of its folder)"),
            Protection("hidden course and folders", False, f"{why}; the submission could read the solutions"),
            Protection("no network", False, f"{why}; the submission can connect wherever you can"),
            _processes(chosen)]


def _network() -> Protection:
    if os.geteuid() == 0:
        return Protection("no network", True, "a network namespace of its own: only its own loopback")
    return Protection("no network", False, "the submission shares your network; as root, each sandbox has a "
                      "network of its own")


def _processes(chosen: Mechanism) -> Protection:
    if own_processes_given(chosen):
        return Protection("processes of its own", True, "a PID namespace: the submission sees and can signal "
                          "only its own processes, and they all end with its sandbox")
    return Protection("processes of its own", False, "the submission can see your processes, and signal those "
                      "its user may (as root, each sandbox's user of its own limits that to its own)")


def _user(chosen: Mechanism) -> Protection:
    from .processes import sandbox_user

    if not hasattr(os, "geteuid") or os.geteuid() != 0 or chosen is Mechanism.PORTABLE:
        return Protection("a user of its own", False, "the submission runs as you (as root, on Linux, each "
                          "sandbox runs as a user of its own)")
    if sandbox_user(unconfined(chosen) is None) is None:
        return Protection("a user of its own", False, "the submission runs as root: the kernel refuses to confine "
                          "it, and Python is installed where no other user can read it")
    return Protection("a user of its own", True, "each sandbox runs as a user id of its own, at most 512 "
                      "processes: it can signal and write only what is its own")


def protections(chosen: Mechanism, limits: Limits) -> list[Protection]:
    """What the sandbox of ``chosen`` does on this machine, each protection active or not, in a student's words."""
    if chosen is Mechanism.LINUX:
        cleanup = Protection("process-tree cleanup", True, "nothing a submission starts outlives grading, even after "
                             "setsid (its processes of its own end with it; else process groups, and the grader "
                             "adopts orphans as their subreaper)")
    else:
        cleanup = Protection("process-tree cleanup", True, "psutil kills every process that carries the sandbox's "
                             "tag in its environment, even after setsid (not one that clears its environment; "
                             "no PID namespace)")
    if memory_enforced():
        memory = Protection("memory limit", True, f"{limits.memory_mb} MB of address space per process (RLIMIT_AS)")
    else:
        memory = Protection("memory limit", True, f"psutil stops a worker whose processes use more than "
                            f"{limits.memory_mb} MB, looking 10 times a second ({_system()} enforces no "
                            "RLIMIT_AS)")
    if os.name == "posix":
        output = Protection("output limit", True, f"{limits.output_kb} KB per file, printed output included (RLIMIT_FSIZE)")
    else:
        output = Protection("output limit", False, "Windows has no file-size limit: printing without end runs until "
                            "the check's time limit")
    copy = Protection("throw-away copy", True, "the submission runs on a copy of its folder, deleted after grading: "
                      "the original is never changed")
    environment = Protection("clean environment", True, "the submission sees none of your environment variables "
                             "but what Python needs (PATH, locale, Python's own), with a home and temporary folder "
                             "of its own")
    timing = Protection("time limits", True, f"{limits.check_seconds:g} s per check, {limits.submission_seconds:g} s "
                        "per submission; a worker that overruns is killed")
    return [copy, *_confinement(chosen), _user(chosen), environment, cleanup, memory, output, timing]
