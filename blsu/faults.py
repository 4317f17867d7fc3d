"""Injected failures for the tests of the checked swap (never set in normal use).

BLSU_INJECT_FAULT names one point (e.g. `checkpoint`); `maybe_fail(point)` then raises there as
the real failure would: a full disk, a folder that cannot be written, or a kill -9.
"""

from __future__ import annotations

import errno
import os

FAULTS = {
    "copy": OSError(errno.ENOSPC, "No space left on device"),
    "checkpoint": OSError(errno.ENOSPC, "No space left on device"),
    "results": OSError(errno.EACCES, "Permission denied"),
    "swap-results": OSError(errno.EACCES, "Permission denied"),
}


def maybe_fail(point: str) -> None:
    """Fail at `point` when BLSU_INJECT_FAULT names it (`kill:<point>` ends the process)."""
    wanted = os.environ.get("BLSU_INJECT_FAULT", "")
    if wanted == f"kill:{point}":
        os._exit(137)
    if wanted == point and point in FAULTS:
        raise FAULTS[point]
