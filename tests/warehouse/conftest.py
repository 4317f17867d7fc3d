"""One dbt build of the hand-made raw folder per test session, shared by the warehouse tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from raw_fixture import write_raw_folder

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT = PROJECT_ROOT / ".venv" / "bin" / "dbt"


def run_dbt(args: list[str], raw_dir: Path, db_path: Path) -> subprocess.CompletedProcess[str]:
    """Run dbt from the project root against a raw folder and a warehouse file in tmp."""
    env = {
        **os.environ,
        "BLSU_RAW_DIR": str(raw_dir),
        "BLSU_DB": str(db_path),
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    dbt = str(DBT) if DBT.exists() else str(Path(sys.executable).parent / "dbt")
    return subprocess.run(
        [dbt, *args, "--profiles-dir", "profiles", "--target-path", str(db_path.parent / "target")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the warehouse from the hand-made raw folder; return the DuckDB file."""
    root = tmp_path_factory.mktemp("warehouse")
    raw_dir = root / "raw"
    write_raw_folder(raw_dir)
    db_path = root / "blsu.duckdb"
    result = run_dbt(["build"], raw_dir, db_path)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return db_path


@pytest.fixture()
def warehouse(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built warehouse."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()
