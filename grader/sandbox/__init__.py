"""The sandbox: running a student's untrusted code, confined, and getting plain data back.

It owns everything that touches student code: the throw-away copy of a submission (``copying``,
``archives``) in a folder of the grader's own (``folders``, which also removes what a killed grader
left); the grader's side of a sandbox (``parent``), which reads what the sandbox wrote without
trusting it (``untrusted_files``) and reaches a server it runs through its network (``network``);
the confined child process that imports the app and forks workers (``child``, with ``confine``,
``loading`` and ``explain``) and what a worker does with the app (``operations``); the wire between
them (``protocol``); a handed-in notebook run in a confined kernel (``notebook``); and the limits
and errors that become verdicts (``limits``, ``errors``). Where fork or Linux's namespaces are
missing, workers are spawned interpreters instead (``spawned``, ``spawned_worker``, over
``channel``); ``capabilities`` says which mechanism runs here and what it protects, ``restrict`` and
``processes`` do what each system allows. It imports nothing else of the grader.
"""

from .copying import IGNORED
from .errors import (AppDidNotLoad, BadSubmission, KernelDidNotStart, LimitExceeded, NotebookFailed, StudentError,
                     TimedOut)
from .limits import Limits
from .parent import MEMORY_FOLDER, Sandbox, Worker
from .processes import become_subreaper, kill_orphans

__all__ = ["IGNORED", "MEMORY_FOLDER", "AppDidNotLoad", "BadSubmission", "KernelDidNotStart", "LimitExceeded", "Limits",
           "NotebookFailed", "Sandbox", "StudentError", "TimedOut", "Worker", "become_subreaper", "kill_orphans"]
