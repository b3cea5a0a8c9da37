"""Confine a sandbox's file system view: everything read-only except the submission's own copy,
and the course's solutions and checks hidden.

Runs inside the sandbox, in a private mount namespace (as root, or in a user namespace
otherwise), so nothing here can affect the machine's own mounts. Where the kernel refuses a
namespace, the sandbox runs unconfined and ``confine`` says so; the copy and the limits still hold.
"""

from __future__ import annotations

import ctypes
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
KEPT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
              "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}
SKIPPED = ("/proc", "/sys", "/dev")  # kernel views and devices: left as they are...
CONFINED_ANYWAY = ("/dev/shm",)  # ...but for shared memory, where other sandboxes may live


class ConfineError(OSError):
    """The kernel refused a step of the confinement."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _call(result: int, what: str) -> None:
    if result != 0:
        raise ConfineError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


def _mounts() -> list[tuple[str, int]]:
    """Every mount point, with the flags a read-only remount must keep."""
    mounts = []
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        for line in info:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")
            flags = sum(KEPT_FLAGS.get(option, 0) for option in fields[5].split(","))
            mounts.append((point, flags))
    return mounts


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as file:
        file.write(text)


def confine(writable: str, hidden: list[str]) -> None:
    """Make every mount read-only but ``writable``, and lay empty folders over ``hidden``."""
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    _call(libc.unshare(CLONE_NEWNS if uid == 0 else CLONE_NEWNS | CLONE_NEWUSER), "unshare")
    if uid != 0:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    # First, and never skipped: nothing done below may propagate to the machine's own mounts.
    _call(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    target = writable.encode()
    _call(libc.mount(target, target, None, MS_BIND | MS_REC, None), "bind the submission")
    for point, flags in sorted(_mounts(), key=lambda mount: len(mount[0])):
        if point == writable or point.startswith(writable + "/"):
            continue
        if point.startswith(SKIPPED) and not point.startswith(CONFINED_ANYWAY):
            continue
        libc.mount(None, point.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, None)
    for folder in hidden:
        if os.path.isdir(folder):
            _call(libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                             b"size=4k"), f"hide {folder}")
