"""One lock per warehouse for every command that writes the warehouse or its results.

`blsu build`, `blsu refresh`, `blsu run` and `blsu stats` (into the results) take an exclusive,
non-blocking lock on `<db>.lock` before they touch anything. The lock is the operating system's
(flock), so it is released when the process ends, also on kill -9; the file keeps the holder's
pid and command for the message a second writer gets.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from blsu_core.paths import ensure_folder

EXIT_LOCKED = 75


class LockedError(RuntimeError):
    """Another command writes the same warehouse (exit 75: try again later)."""


def lock_file(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def lock_holder(db: Path) -> str | None:
    """Who holds the warehouse's write lock, in the lock file's words; None when nobody does.

    Reads the lock file without taking the lock (a reader must never make a writer fail): the
    holder's text names a pid, and a pid that no longer runs (kill -9) holds nothing.
    """
    try:
        text = lock_file(db).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    match = re.match(r"pid (\d+)", text)
    return text if match and _alive(int(match.group(1))) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def warehouse_lock(db: Path, command: str) -> Iterator[None]:
    """Hold the warehouse's write lock for the duration of `command`; raise LockedError if taken."""
    ensure_folder(db.parent, "the warehouse", "BLSU_DB")
    path = lock_file(db)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "pid unknown"
            raise LockedError(
                f"the warehouse {db} is being written by {holder} (lock {path}); "
                "try again when it has finished"
            ) from exc
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} (`{command}`, since {stamp})")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
