"""Wall time and peak memory of a child process and everything it starts (Linux /proc).

Shared by the benchmark scripts. Peak RSS is the maximum over polls of the summed VmRSS of the
process and all its descendants, so a peak shorter than the poll interval can be missed.
"""

from __future__ import annotations

import subprocess
import time
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
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, **popen)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(poll_seconds)
    return time.perf_counter() - start, peak / 1024, proc.returncode
