"""Wall time, peak memory and CPU time of a child process and everything it starts (Linux
/proc), and the machine's load average while it ran.

Shared by the benchmark scripts. Peak RSS is the maximum over polls of the summed VmRSS of the
process and all its descendants, so a peak shorter than the poll interval can be missed.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _children(pid: int) -> list[int]:
    """Children of every thread of `pid` (a child started from any thread is listed there)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    """Summed resident set size (KiB) of a process and all its descendants."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss_kib(p)
        stack.extend(_children(p))
    return total


def run_measured(cmd: list[str], poll_seconds: float, **popen: Any) -> tuple[float, float, int]:
    """Run `cmd` to the end: (wall seconds, peak tree RSS in MiB, exit code)."""
    usage = run_with_usage(cmd, poll_seconds, **popen)
    return usage.wall_s, usage.peak_rss_mib, usage.exit_code


def load_average() -> float:
    """The 1-minute load average of the machine (0 when unknown)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass(frozen=True)
class Usage:
    """What one child process (and everything it started) used."""

    wall_s: float
    peak_rss_mib: float
    exit_code: int
    cpu_s: float  # user + system time of the child and the descendants it waited for
    load_start: float
    load_max: float  # highest 1-minute load average seen while it ran


def run_with_usage(cmd: list[str], poll_seconds: float, **popen: Any) -> Usage:
    """Run `cmd` to the end, measuring wall time, peak tree RSS, CPU time and the load."""
    load_start = load_max = load_average()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, **popen)
    peak = 0
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss_kib(proc.pid))
        load_max = max(load_max, load_average())
        time.sleep(poll_seconds)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Usage(wall, peak / 1024, proc.returncode, rusage.ru_utime + rusage.ru_stime,
                 load_start, load_max)
