"""Helpers of the refresh tests: mart snapshots and raw-file edits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def mart_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the marts schema, rows sorted, for row-for-row comparison."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}
    finally:
        con.close()


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def corrected_copy(source: Path, target: Path) -> int:
    """A corrected version of a yearly file: every other row dropped, the first row doubled.

    Returns the number of distinct rows of the corrected file.
    """
    table = pq.read_table(source)
    kept = table.filter(pc.equal(pc.bit_wise_and(pa.array(range(table.num_rows)), 1), 0))
    pq.write_table(pa.concat_tables([kept, kept.slice(0, 1)]), target)
    return kept.num_rows


def scramble_keeping_signature(path: Path) -> bytes:
    """Overwrite a file with garbage of the same size and mtime; return the original bytes.

    A loader that opened it would fail, so a refresh that succeeds did not read it.
    """
    original = path.read_bytes()
    stat = path.stat()
    path.write_bytes(b"\0" * len(original))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return original


def restore_keeping_signature(path: Path, data: bytes) -> None:
    stat = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def lock_holder(db: Path) -> subprocess.Popen[str]:
    """Another process that holds the warehouse lock of `db` (as `blsu refresh`) until it reads
    a line on stdin."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pathlib import Path\n"
            "from blsu.lock import warehouse_lock\n"
            f"with warehouse_lock(Path({str(db)!r}), 'blsu refresh'):\n"
            "    print('locked', flush=True)\n"
            "    sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder
