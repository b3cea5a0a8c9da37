"""CPU time spent while a benchmark runs, counting every process the grader starts.

A sandbox's processes end killed, and a process that no one waits for never adds its time to a
parent's (``RUSAGE_CHILDREN`` misses it: most of a submission's workers). Linux's own count of the
machine's busy time (``/proc/stat``) sees them all, and whatever else runs: benchmark an otherwise
idle machine. Elsewhere ``RUSAGE_CHILDREN`` (and this process's own time) is the best there is.
"""

from __future__ import annotations

import os
import resource

STAT = "/proc/stat"
BUSY = slice(1, 9)  # user nice system idle iowait irq softirq steal: all but idle (3) and iowait (4)
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy() -> float:
    with open(STAT, encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[BUSY]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


def busy_seconds() -> float:
    """A clock of CPU seconds: the machine's on Linux, this process's and its reaped children's elsewhere."""
    if os.path.exists(STAT):
        return _machine_busy()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
