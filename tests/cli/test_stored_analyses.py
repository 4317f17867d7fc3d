"""The analyses a build compiled are run only for the warehouse, code and vars they were compiled
for (blsu.analyses); anything else falls back to dbt. No dbt runs here: the warehouse is a
hand-made DuckDB file with a record, and the stored SQL is hand-written."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from blsu.analyses import STORE, forget, sql_folder, store, stored
from blsu_core.record import WarehouseRecord, code_version, write_record

NAME = "lvb_share_by_group"  # an analysis of the project; its stored SQL is made up here
MADE_UP = "select 42 as answer"


def warehouse(db: Path, **changes: object) -> WarehouseRecord:
    """A warehouse file with a record of this code and no vars (or the changes given)."""
    record = WarehouseRecord(raw_dir="/raw", inputs=[], vars={}, code_version=code_version(),
                             date_basis="newest file year 2021")
    record = dataclasses.replace(record, **changes)
    with duckdb.connect(str(db)) as con:
        write_record(con, record)
    return record


def test_the_stored_sql_runs_for_its_own_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "blsu.duckdb"
    record = warehouse(db)
    store(db, record, {NAME: MADE_UP})
    assert stored(NAME, db, record) == (MADE_UP, "")
    assert stored(NAME, db, record, {}) == (MADE_UP, "")  # --vars '{}': the warehouse's


@pytest.mark.parametrize(("case", "reason"), [
    ("other vars asked", "--vars other than the warehouse's"),
    ("another build", "the stored SQL is of another build"),
    ("warehouse moved", "the stored SQL is of another build"),
    ("code changed", "the project's code changed since the warehouse was built"),
    ("nothing stored", "no compiled SQL is stored for this warehouse"),
    ("no record", "the warehouse has no record of its build"),
])
def test_anything_else_falls_back_to_dbt(tmp_path: Path, case: str, reason: str) -> None:
    db = tmp_path / "blsu.duckdb"
    record = warehouse(db)
    store(db, record, {NAME: MADE_UP})
    asked = None
    if case == "other vars asked":
        asked = {"matching_seed": 8}
    elif case == "another build":  # e.g. a build that failed after compiling
        store(db, dataclasses.replace(record, vars={"matching_seed": 8}), {NAME: MADE_UP})
    elif case == "warehouse moved":
        moved = tmp_path / "other" / "blsu.duckdb"
        sql_folder(moved).mkdir(parents=True)
        (sql_folder(db) / STORE).rename(sql_folder(moved) / STORE)
        db = moved
    elif case == "code changed":  # the warehouse was built by other code than this checkout's
        record = dataclasses.replace(record, code_version="0" * 16)
        store(db, record, {NAME: MADE_UP})
    elif case == "nothing stored":
        forget(db)
    elif case == "no record":
        record = None
    assert stored(NAME, db, record, asked) == (None, reason)


def test_blsu_sql_runs_the_stored_sql_without_dbt(tmp_path: Path) -> None:
    db = tmp_path / "blsu.duckdb"
    store(db, warehouse(db), {NAME: MADE_UP})
    listing = tmp_path / "modules.txt"
    run = ("import sys\nfrom blsu.cli import main\ncode = main(['sql', sys.argv[2]])\n"
           "open(sys.argv[1], 'w').write(' '.join(sys.modules))\nsys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", run, str(listing), NAME],
                          env={**os.environ, "BLSU_DB": str(db)}, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "42" in proc.stdout and proc.stderr == ""
    assert not any(name.split(".")[0] == "dbt" for name in listing.read_text().split())
