"""Single-threaded BLAS while fitting.

A fit makes many calls on small matrices; threaded OpenBLAS only spins on them and runs several
times slower, worst on a busy machine. The environment variables set in ``gbtm/__init__`` only
reach libraries loaded afterwards, so this also limits OpenBLAS libraries that are already loaded
(numpy's and scipy's), found in the process' memory map, and restores them afterwards.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SUFFIXES = ("", "64_")
_PREFIXES = ("openblas", "scipy_openblas")


def _loaded_openblas() -> list[tuple[ctypes.CDLL, str]]:
    maps = Path("/proc/self/maps")
    if not maps.exists():
        return []
    paths = sorted(
        {
            line.split()[-1]
            for line in maps.read_text().splitlines()
            if "openblas" in line.rsplit("/", 1)[-1].lower() and ".so" in line
        }
    )
    found = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                name = f"{prefix}_get_num_threads{suffix}"
                if hasattr(lib, name):
                    found.append((lib, f"{prefix}_%s_num_threads{suffix}"))
    return found


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit every loaded OpenBLAS to one thread inside the block."""
    libs = _loaded_openblas()
    before = []
    for lib, pattern in libs:
        before.append(getattr(lib, pattern % "get")())
        getattr(lib, pattern % "set")(1)
    try:
        yield
    finally:
        for (lib, pattern), n in zip(libs, before, strict=True):
            getattr(lib, pattern % "set")(n)
