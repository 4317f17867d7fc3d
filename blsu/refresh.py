"""Scheduled refresh: notice which raw files landed or changed, rebuild, redo the statistics.

Exit codes for schedulers: 0 refreshed, 3 nothing new, 1 failed (the warehouse is left as it was),
75 another refresh holds the lock (try again later).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from blsu.paths import Paths

EXIT_REFRESHED = 0
EXIT_FAILED = 1
EXIT_NOTHING_NEW = 3
EXIT_LOCKED = 75
DATA_SUFFIXES = {".parquet", ".csv", ".sav"}


class RefreshLockedError(RuntimeError):
    """Another refresh of the same warehouse is running."""


@dataclass(frozen=True)
class Changes:
    """What differs between the raw folder now and at the last successful refresh."""

    added: list[str]
    replaced: list[str]
    removed: list[str]

    @property
    def any(self) -> bool:
        return bool(self.added or self.replaced or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} new, {len(self.replaced)} changed, "
            f"{len(self.removed)} removed raw file(s)"
        )


def fingerprint(raw_dir: Path) -> dict[str, str]:
    """Relative path -> size and content hash of every data file under the raw folder."""
    prints: dict[str, str] = {}
    for path in sorted(raw_dir.rglob("*")):
        if path.is_file() and path.suffix.lower() in DATA_SUFFIXES:
            digest = hashlib.blake2b(digest_size=16)
            with path.open("rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    digest.update(block)
            prints[path.relative_to(raw_dir).as_posix()] = digest.hexdigest()
    return prints


def compare(old: dict[str, str], new: dict[str, str]) -> Changes:
    """Files added, replaced (same name, other content) and removed since `old`."""
    return Changes(
        added=sorted(set(new) - set(old)),
        replaced=sorted(k for k in set(new) & set(old) if new[k] != old[k]),
        removed=sorted(set(old) - set(new)),
    )


def state_file(paths: Paths) -> Path:
    return paths.db.with_name(paths.db.name + ".refresh.json")


def load_state(paths: Paths) -> dict[str, str]:
    """The fingerprint of the last successful refresh (empty when there was none)."""
    path = state_file(paths)
    if not path.exists() or not paths.db.exists():
        return {}
    return json.loads(path.read_text())["files"]


def save_state(paths: Paths, prints: dict[str, str]) -> None:
    """Record the fingerprint atomically, after the warehouse and the results are in place."""
    path = state_file(paths)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"raw_dir": str(paths.raw_dir), "files": prints}, indent=1))
    os.replace(tmp, path)


@contextmanager
def refresh_lock(paths: Paths) -> Iterator[None]:
    """An exclusive, non-blocking lock beside the warehouse file, released on exit or crash."""
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = paths.db.with_name(paths.db.name + ".lock")
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise RefreshLockedError(
                f"another refresh holds {lock_path} (pid {holder}); it will be retried next time"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
