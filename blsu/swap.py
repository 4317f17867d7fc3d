"""The checked swap: a finished warehouse and its results replace the old ones together or not
at all.

Before the swap the scratch warehouse is sealed (`CHECKPOINT`, which must succeed, and no
write-ahead log left beside it: data still in a WAL is data a full disk did not write), then
opened read-only and verified: every mart of the project present, every table with the rows
the build left in it, every contracted mart with its contract's columns and types. The results
are verified likewise (every expected file present, non-empty, readable). The swap itself
writes a journal (`<db>.swap.json`), renames the old warehouse and results aside, renames the
new ones in, and only then deletes the old ones: a failure in between renames the old ones
back, and a process killed in between is repaired by the next command that takes the lock.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from blsu.faults import maybe_fail

RESULTS_REQUIRED: tuple[str, ...] = (
    "summary.json",
    "report.md",
    "report.html",
    "tests.csv",
    "dq_findings.csv",
    "reproduction.csv",
)


class SwapError(RuntimeError):
    """The scratch warehouse or results failed a check, or the swap failed (rolled back)."""


def wal_of(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def table_rows(con: object, schemas: Iterable[str] | None = None) -> dict[str, int]:
    """schema.table -> row count of every base table (optionally of some schemas only)."""
    tables = con.execute(  # type: ignore[attr-defined]
        "select schema_name, table_name from duckdb_tables() where not temporary"
    ).fetchall()
    wanted = set(schemas) if schemas is not None else None
    return {
        f"{schema}.{table}": con.execute(  # type: ignore[attr-defined]
            f'select count(*) from "{schema}"."{table}"'
        ).fetchone()[0]
        for schema, table in tables
        if wanted is None or schema in wanted
    }


def seal(scratch: Path) -> dict[str, int]:
    """CHECKPOINT the scratch warehouse; return its tables' row counts as the writer saw them.

    Raises SwapError when the checkpoint fails or leaves a WAL (e.g. the disk is full).
    """
    import duckdb

    try:
        con = duckdb.connect(str(scratch))
        try:
            rows = table_rows(con)
            maybe_fail("checkpoint")
            con.execute("checkpoint")
        finally:
            con.close()
    except (duckdb.Error, OSError) as exc:
        raise SwapError(
            f"could not write the new warehouse to disk ({exc}); is the disk of "
            f"{scratch.parent} full? Free space and run again"
        ) from exc
    wal = wal_of(scratch)
    if wal.exists() and wal.stat().st_size > 0:
        raise SwapError(
            f"the new warehouse left {wal.stat().st_size} bytes in its write-ahead log {wal} "
            "after CHECKPOINT (disk full?); free space and run again"
        )
    return rows


@dataclass(frozen=True)
class Contract:
    """A contracted mart: its columns and their data types, from dbt's manifest."""

    relation: str
    columns: dict[str, str]


def expected_marts(manifest: Path) -> tuple[list[str], list[Contract]]:
    """schema.table of every enabled mart model, and the contracts of the contracted ones."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    marts, contracts = [], []
    for node in nodes:
        if node.get("resource_type") != "model" or "marts" not in node.get("fqn", []):
            continue
        if not node.get("config", {}).get("enabled", True):
            continue
        relation = f"{node['schema']}.{node.get('alias') or node['name']}"
        marts.append(relation)
        if node.get("contract", {}).get("enforced"):
            columns = {
                name.lower(): str(col.get("data_type") or "").lower()
                for name, col in node.get("columns", {}).items()
            }
            contracts.append(Contract(relation, columns))
    return sorted(marts), contracts


TYPE_SYNONYMS = {"int": "integer", "int4": "integer", "int8": "bigint", "text": "varchar",
                 "string": "varchar", "bool": "boolean", "float8": "double", "float": "double"}


def _type(name: str) -> str:
    name = name.lower().split("(")[0].strip()
    return TYPE_SYNONYMS.get(name, name)


def verify_warehouse(scratch: Path, written: dict[str, int], manifest: Path | None) -> None:
    """Open the sealed scratch file read-only and check it against what the build wrote."""
    import duckdb

    try:
        con = duckdb.connect(str(scratch), read_only=True)
    except duckdb.Error as exc:
        raise SwapError(f"the new warehouse {scratch} cannot be opened: {exc}") from exc
    try:
        found = table_rows(con)
        short = {t: (n, found.get(t)) for t, n in written.items() if found.get(t) != n}
        if short:
            listed = ", ".join(f"{t} {got} of {n} rows" for t, (n, got) in sorted(short.items()))
            raise SwapError(f"the new warehouse on disk lacks rows the build wrote: {listed}")
        if manifest is None or not manifest.exists():
            return
        marts, contracts = expected_marts(manifest)
        missing = [m for m in marts if m not in found]
        if missing:
            raise SwapError(f"the new warehouse lacks the mart(s) {', '.join(missing)}")
        for contract in contracts:
            schema, table = contract.relation.split(".")
            actual = {
                name.lower(): _type(kind)
                for name, kind in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            }
            wanted = {name: _type(kind) for name, kind in contract.columns.items()}
            if actual != wanted:
                raise SwapError(
                    f"{contract.relation} does not hold its contract: columns {actual} "
                    f"instead of {wanted}"
                )
    finally:
        con.close()


def verify_results(folder: Path, required: Iterable[str] = RESULTS_REQUIRED) -> None:
    """Every expected results file present and non-empty; every CSV and JSON readable."""
    for name in required:
        path = folder / name
        if not path.is_file() or path.stat().st_size == 0:
            raise SwapError(f"the new results lack {name} (or it is empty) in {folder}")
    for path in sorted(folder.iterdir()):
        try:
            if path.suffix == ".csv":
                with path.open(encoding="utf-8", newline="") as handle:
                    header = next(csv.reader(handle), None)
                if not header:
                    raise SwapError(f"the new results file {path} has no header")
            elif path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SwapError(f"the new results file {path} is not readable: {exc}") from exc


def journal_of(db: Path) -> Path:
    return db.with_name(db.name + ".swap.json")


def aside(path: Path) -> Path:
    return path.with_name(path.name + ".old")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _write_journal(journal: Path, pairs: list[tuple[Path, Path, bool]], phase: str) -> None:
    tmp = journal.with_name(journal.name + ".tmp")
    data = {"phase": phase, "pairs": [[str(n), str(t), had] for n, t, had in pairs]}
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, journal)


def swap_together(db: Path, pairs: list[tuple[Path, Path]]) -> None:
    """Replace every target by its new file or folder, all or none.

    `pairs` are (new, target); the journal beside `db` lets `recover` finish or undo a swap
    that a killed process left half done.
    """
    journal = journal_of(db)
    for _, target in pairs:
        _remove(aside(target))
    planned = [(new, target, target.exists()) for new, target in pairs]
    _write_journal(journal, planned, "swapping")
    step = 0
    try:
        for step, (new, target, had_old) in enumerate(planned):
            if had_old:
                os.replace(target, aside(target))
                if wal_of(target).exists():
                    os.replace(wal_of(target), wal_of(aside(target)))
            if step:
                maybe_fail("swap")
                maybe_fail("swap-results")
            os.replace(new, target)
    except OSError as exc:
        _undo(planned)
        journal.unlink(missing_ok=True)
        raise SwapError(
            f"could not put {planned[step][1]} in place ({exc.strerror or exc}); "
            "the warehouse and the results are as they were"
        ) from exc
    _write_journal(journal, planned, "done")
    _finish(planned)
    journal.unlink(missing_ok=True)


def _finish(planned: list[tuple[Path, Path, bool]]) -> None:
    for _, target, _ in planned:
        _remove(aside(target))
        wal_of(aside(target)).unlink(missing_ok=True)


def _undo(planned: list[tuple[Path, Path, bool]]) -> None:
    """Put every old target back; a target that did not exist before is removed again."""
    for new, target, had_old in planned:
        old = aside(target)
        if had_old and old.exists():
            if target.exists():
                _remove(target)
            wal_of(target).unlink(missing_ok=True)
            os.replace(old, target)
            if wal_of(old).exists():
                os.replace(wal_of(old), wal_of(target))
        elif not had_old and target.exists():
            _remove(target)
        _remove(new)


def recover(db: Path) -> str | None:
    """Finish or undo a swap a killed process left; returns what was done (None: nothing)."""
    journal = journal_of(db)
    if not journal.exists():
        return None
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        planned = [(Path(n), Path(t), bool(had)) for n, t, had in data["pairs"]]
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)
        return None
    if data.get("phase") == "done":
        _finish(planned)
        journal.unlink(missing_ok=True)
        return "finished an interrupted swap"
    _undo(planned)
    journal.unlink(missing_ok=True)
    return "rolled back an interrupted swap; the previous warehouse and results are in place"
