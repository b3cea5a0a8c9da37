"""Grade a handed-in notebook as what it is: run every cell from the top in a fresh kernel, then grade the files.

Why run it, rather than read its ``%%writefile`` cells: a notebook is what *Restart and Run All*
makes of it. Reading the cells would grade files that a real run never writes (a cell above that
raises stops the run) and miss files that code writes; grading a student's open kernel would grade
hidden state. So the grade is of what a fresh run produces, and a notebook that raises or never
finishes gets a verdict that names the cell.

Running it means the student's code runs outside the grading sandbox, in a Jupyter kernel, so the
kernel is confined like a sandbox: it starts in a throw-away folder and sees the file system
read-only but for that folder, with the course's checks and solutions hidden; as root it runs as
an unprivileged user; it has the submission's memory and file-size limits and time limit; and it
is the first process of a PID namespace of its own, so nothing it starts (even after ``setsid``)
outlives the run. With the portable sandbox (``capabilities``) the kernel has only the limits the
system offers, and what it started is found by the tag in its environment and killed. The check cells (tagged ``check``) are skipped: they grade, they do not build.
The cells' outputs are not kept, so a cell that prints without end cannot fill the grader's memory.

``python -m grader.sandbox.notebook JOB ARGS...`` is the kernel's own process: it confines itself as
JOB says, then becomes an IPython kernel with ARGS.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import runpy
import secrets
import shutil
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import nbformat

from .archives import MAX_UNPACKED
from .capabilities import Mechanism, mechanism
from .errors import BadSubmission, KernelDidNotStart, NotebookFailed
from .folders import new_folder
from .limits import Limits
from .processes import kill_group, kill_tagged, own_processes, sandbox_user, tagged
from .untrusted_files import read_capped, size_of

KERNEL_NAME = "confined-python"
CHECK_TAG = "check"  # the tag of the cells that grade: a run to grade skips them


def _read(path: Path) -> Any:
    if path.stat().st_size > MAX_UNPACKED:
        raise BadSubmission(f"{path.name} is larger than {MAX_UNPACKED // 2**20} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        if not all(isinstance(cell.get("source"), str) for cell in notebook.cells):
            raise ValueError("a cell without source text")
    except Exception as error:  # noqa: BLE001 - whatever is wrong with the file, it is not a notebook we can run
        raise BadSubmission(f"{path.name} is not a readable notebook ({type(error).__name__}: {error})") from None
    return notebook


def _cell_name(notebook: Any, index: int) -> str:
    first = next((line.strip() for line in notebook.cells[index].source.splitlines() if line.strip()), "")
    shown = first if len(first) <= 60 else first[:57] + "..."
    return f"cell {index + 1} of {len(notebook.cells)} (`{shown}`)"


def _write_kernel_spec(workdir: Path, env: dict[str, str]) -> Path:
    """A kernel spec whose command is this module: how Jupyter is told to start the confined kernel."""
    spec = workdir / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "grader.sandbox.notebook", str(workdir / "job.json"), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "env": env, "display_name": "Grading",
                                                  "language": "python"}))
    return spec.parent


def _kernel_log(workdir: Path) -> str:
    size = size_of(workdir / "kernel.log")
    lines = read_capped(workdir / "kernel.log", max(0, size - 4000)).strip().splitlines()
    return lines[-1] if lines else "no output"


def _run(notebook: Any, workdir: Path, limits: Limits, hidden: Sequence[Path]) -> None:
    """Run every cell but the check cells, in order, in a fresh confined kernel; raise NotebookFailed."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    class Client(NotebookClient):
        def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> None:
            return None  # keep no outputs: what matters is the files, and whether each cell succeeded

    portable = mechanism() is Mechanism.PORTABLE
    tag, since = secrets.token_hex(8), time.time()
    # Confined, the kernel has a network of its own (as root): Jupyter talks to it over Unix sockets in its folder.
    job = {"workdir": str(workdir), "hidden": [str(path) for path in hidden], "portable": portable,
           "network": portable, "memory_bytes": limits.memory_mb * 2**20, "output_bytes": limits.output_kb * 1024}
    (workdir / "job.json").write_text(json.dumps(job))
    sockets = {"transport": "tcp"} if portable else {"transport": "ipc", "ip": str(workdir / "kernel")}
    manager = AsyncKernelManager(
        kernel_name=KERNEL_NAME, connection_file=str(workdir / "connection.json"), **sockets,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(_write_kernel_spec(workdir, tagged(tag)))]))
    deadline = time.monotonic() + limits.submission_seconds
    client = Client(notebook, km=manager, skip_cells_with_tag=CHECK_TAG, shutdown_kernel="immediate",
                    startup_timeout=math.ceil(limits.submission_seconds),
                    resources={"metadata": {"path": str(workdir / "run")}})
    index = 0
    started = cut_short = False
    try:
        with client.setup_kernel(cleanup_kc=True):
            started = True
            try:
                for index, cell in enumerate(notebook.cells):
                    remaining = deadline - time.monotonic()
                    cut_short = remaining < limits.cell_seconds  # by the whole submission's time
                    client.timeout = max(1, math.ceil(min(remaining, limits.cell_seconds)))
                    client.execute_cell(cell, index)
            finally:  # before Jupyter reaps the kernel's process, so the group is still the kernel's
                kill_group(manager.provisioner.pgid or manager.provisioner.pid)
    except CellTimeoutError:
        limit = (f"when the time for the whole submission ({limits.submission_seconds:g} s) ran out" if cut_short
                 else f"after {limits.cell_seconds:g} s, the time one cell may take")
        raise NotebookFailed({
            "title": f"Your notebook did not finish: {_cell_name(notebook, index)} was still running {limit}",
            "detail": "Look for an endless loop, a server started in a cell (app.run()), or a call that waits "
                      "for input. Restart the kernel and run all cells: the run must end.",
        }) from None
    except CellExecutionError as error:
        if error.ename == "StdinNotImplementedError":
            raise NotebookFailed({
                "title": f"Your notebook asks for input at {_cell_name(notebook, index)}, and nobody can answer",
                "detail": "A graded notebook runs from the top with nobody at the keyboard: put the value in the "
                          "code instead of calling input().",
            }) from None
        raise NotebookFailed({
            "title": f"Your notebook stopped at {_cell_name(notebook, index)}: "
                     + (f"{error.ename}: {error.evalue}" if error.evalue else error.ename),
            "detail": "Your instructor runs the notebook from the top in a fresh kernel and grades the files it "
                      "writes. Restart the kernel, run all cells, and fix the first cell that fails.",
        }) from None
    except DeadKernelError:
        raise NotebookFailed({
            "title": f"Your notebook's kernel died while running {_cell_name(notebook, index)}",
            "detail": f"Most likely the cell used more than {limits.memory_mb} MB of memory, or called os._exit().",
        }) from None
    except (RuntimeError, TimeoutError) as error:
        if started:
            raise
        raise KernelDidNotStart(f"a Jupyter kernel did not start to run the notebook ({error}; the kernel said: "
                          f"{_kernel_log(workdir)})") from None
    finally:
        if portable:  # no PID namespace ended all the kernel started: its tag finds them
            kill_tagged(tag, since)


@contextlib.contextmanager
def executed(path: Path, limits: Limits, hidden: Sequence[Path]) -> Iterator[Path]:
    """Run notebook ``path`` from the top, as its grader does (``hidden`` out of its sight), and yield the
    folder it ran in."""
    notebook = _read(path)
    workdir = new_folder("notebook")
    try:
        (workdir / "run").mkdir()
        _run(notebook, workdir, limits, hidden)
        yield workdir / "run"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# The kernel's side ---------------------------------------------------------------------------

def main(argv: list[str]) -> NoReturn:
    """Confine this process as the job says, then run the IPython kernel in a PID namespace of its own
    (with the portable sandbox: with the system's limits, in this very process)."""
    from .restrict import apply_limits, confine_job, drop_privileges, use_own_folders

    job = json.loads(Path(argv[0]).read_text())
    workdir = Path(job["workdir"])
    log = os.open(workdir / "kernel.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ["IPYTHONDIR"] = str(workdir / "ipython")
    if job["portable"]:  # not exec: on Windows it would start another process, and Jupyter would lose the kernel
        use_own_folders(job["workdir"])
        apply_limits(job)
        sys.argv = [sys.argv[0], *argv[1:]]
        runpy.run_module("ipykernel_launcher", run_name="__main__")
        sys.exit(0)
    confined = confine_job(job)
    user = sandbox_user(confined)  # before the PID namespace, where every kernel would be pid 1
    if confined:
        own_processes()
    drop_privileges(job["workdir"], user)
    apply_limits(job)
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv[1:]])


if __name__ == "__main__":
    main(sys.argv[1:])
