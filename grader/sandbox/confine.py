"""Confine a sandbox's file system view: a root of its own that holds only the system's folders, Python
and the grader, all read-only; the course, every home folder and every shared temporary folder
hidden even there; the submission's own folder on a small file system of its own, the one place it
may write; and a network of the sandbox's own, with only its loopback on it.

Runs inside the sandbox, in a private mount namespace (as root, or in a user namespace
otherwise), so nothing here can affect the machine's own mounts. Where the kernel refuses a
namespace, the sandbox runs unconfined and ``confine`` says so; the copy and the limits still hold.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import site
import socket
import struct
import sys
import sysconfig
import tempfile

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCSIFFLAGS, IFF_UP, IFF_LOOPBACK, IFF_RUNNING = 0x8914, 0x1, 0x8, 0x40
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
KEPT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
              "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}
SKIPPED = ("/proc", "/sys", "/dev")  # kernel views and devices: left as they are...
CONFINED_ANYWAY = ("/dev/shm",)  # ...but for shared memory, where other sandboxes may live
# Hidden from every sandbox: other users' files, other checkouts, other sandboxes. The temporary
# folders become small empty ones the submission may write in (its own scratch folder is TMPDIR).
PRIVATE = ("/root", "/home", "/mnt", "/media", "/srv")
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
HIDDEN_OPTIONS, SCRATCH_OPTIONS = "size=4k", "size=16m,mode=1777"
O_PATH = getattr(os, "O_PATH", 0)
MS_MOVE, MNT_DETACH = 8192, 2
# The new root holds only these (where they exist) and what ``needed()`` names: what a program needs of
# the system (its libraries, configuration, devices, kernel views) and the sandbox's temporary folders.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/dev", "/proc", "/sys", *SCRATCH)


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


def _within(path: str, folder: str) -> bool:
    """Is ``path`` inside ``folder`` (not ``folder`` itself)?"""
    return path.startswith(folder.rstrip("/") + "/")


def _bind(libc: ctypes.CDLL, source: str, target: str, what: str) -> None:
    """Show ``source`` (with all mounted inside it) at ``target``, made first as an empty folder or file like it."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "ab").close()  # noqa: SIM115 - an empty file to bind the real one on
    _call(libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None), f"show {what}")


def needed() -> list[str]:
    """What the sandbox must still see: Python, its packages, and the grader itself (not the rest of
    ``sys.path``, which may hold the course or the folder the grader was started in)."""
    grader = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = sysconfig.get_paths()
    sites = [*site.getsitepackages(), site.getusersitepackages() if site.ENABLE_USER_SITE else ""]
    wanted = (sys.prefix, sys.base_prefix, sys.exec_prefix, grader, *sites,
              *(paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")))
    places = {os.path.realpath(place) for place in wanted if place and os.path.exists(place)}
    return sorted(place for place in places if not any(_within(place, other) for other in places))


def _hide(libc: ctypes.CDLL, folder: str, scratch: bool, kept: list[str], writable: str) -> None:
    """Lay an empty tmpfs over ``folder`` (read-only, or a small ``scratch`` one the sandbox may write in),
    with the ``kept`` paths inside it bound back in place."""
    inside = [path for path in kept if _within(path, folder)]
    handles = [os.open(path, O_PATH) for path in inside]  # reachable still once the tmpfs covers them
    options = (SCRATCH_OPTIONS if scratch else HIDDEN_OPTIONS).encode()
    try:
        _call(libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options), f"hide {folder}")
        for path, handle in zip(inside, handles):
            _bind(libc, f"/proc/self/fd/{handle}", path, path)
            if path != writable:
                libc.mount(None, path.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)
        if not scratch:
            _call(libc.mount(None, folder.encode(), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, options),
                  f"hide {folder}")
    finally:
        for handle in handles:
            os.close(handle)


def _own_file_system(libc: ctypes.CDLL, folder: str, size: int) -> None:
    """Put ``folder`` on a file system of its own, of at most ``size`` bytes (and as many files as 4 KB
    ones would fill), holding a copy of what it held but the grader's ``output`` folder: what the
    sandbox writes can fill only that, never the machine's memory or disk."""
    before = os.open(folder, O_PATH | os.O_DIRECTORY)
    try:
        options = f"size={size},nr_inodes={max(size // 4096, 1024)},mode=700".encode()
        _call(libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options), "own folder")
        shutil.copytree(f"/proc/self/fd/{before}", folder, symlinks=True, dirs_exist_ok=True,
                        ignore=lambda where, names: ["output"] if where == f"/proc/self/fd/{before}" else [])
    finally:
        os.close(before)


def _new_root(libc: ctypes.CDLL, kept: list[str]) -> None:
    """Go on in a root that holds only ``SYSTEM`` and ``kept``, as they are seen now (read-only, with what is
    hidden still hidden): anything else on the machine, another checkout of the course or whatever lies
    in /opt or /var, cannot even be named."""
    staging = tempfile.mkdtemp(dir="/tmp")  # in the sandbox's own scratch folder by now
    _call(libc.mount(b"tmpfs", staging.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=64k,mode=755"), "new root")
    shown: list[str] = []
    for path in sorted({*SYSTEM, *kept}, key=len):  # outer folders first: what they hold comes with them
        if not os.path.lexists(path) or any(_within(path, outer) for outer in shown):
            continue
        if os.path.islink(path):  # /bin -> usr/bin, where /usr is merged
            os.makedirs(os.path.dirname(staging + path), exist_ok=True)
            os.symlink(os.readlink(path), staging + path)
            continue
        _bind(libc, path, staging + path, path)
        shown.append(path)
    libc.mount(None, staging.encode(), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, b"size=64k")
    os.chdir(staging)
    _call(libc.mount(staging.encode(), b"/", None, MS_MOVE, None), "move to the new root")
    os.chroot(".")
    os.chdir("/")
    libc.umount2(staging.encode(), MNT_DETACH)  # where /tmp was shown with the new root on it: that copy
    os.rmdir(staging)  # and the empty folder it was mounted on, in the scratch /tmp the new root shows


def _loopback_only() -> None:
    """In a new network namespace, bring up its loopback: the sandbox can serve to itself, reach nothing else."""
    import fcntl  # Linux only, like everything here; the module itself is imported everywhere

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH14x", b"lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING)
        fcntl.ioctl(probe, SIOCSIFFLAGS, request)


def confine(writable: str, hidden: list[str], network: bool = False, size: int | None = None) -> None:
    """Make every mount read-only but ``writable`` (with a ``size``, a file system of its own of that many
    bytes); hide ``hidden`` and the machine's private and shared temporary folders, but for
    ``writable`` and what Python and the grader need; move to a root that holds only those and the
    system's folders; as root and without ``network``, give the sandbox a network of its own, with
    nothing on it but its loopback. (Not as a user: the grader, outside the sandbox's user namespace,
    could not join that network to reach a server the submission runs.)"""
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    network = network or uid != 0
    namespaces = CLONE_NEWNS | (0 if uid == 0 else CLONE_NEWUSER) | (0 if network else CLONE_NEWNET)
    _call(libc.unshare(namespaces), "unshare")
    if uid != 0:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    if not network:
        _loopback_only()
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
    own = os.path.realpath(writable)
    kept = [*needed(), own]
    for folder in sorted({*PRIVATE, *hidden, *SCRATCH}, key=len):  # outer folders first
        real = os.path.realpath(folder)
        if os.path.isdir(real) and real not in kept:
            _hide(libc, real, folder in SCRATCH, kept, own)
    if size is not None:
        _own_file_system(libc, own, size)
    here = os.getcwd()
    _new_root(libc, kept)
    with contextlib.suppress(OSError):  # the same working folder, in the new root (if it shows it)
        os.chdir(here)

