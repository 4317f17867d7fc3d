"""`blsu --help` and `blsu sql QUERY` load only what they need: not dbt, the statistics'
libraries or the trajectory estimator (benchmarks/latency_benchmark.py times them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

HEAVY = ("dbt", "scipy", "gbtm", "matplotlib", "statsmodels", "pandas", "pyarrow", "python_stats")
RUN = """import sys
from blsu.cli import main
try:
    code = main(sys.argv[2:])
finally:
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    open(sys.argv[1], "w").write("\\n".join(loaded))
sys.exit(code)
"""


def loaded_by(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `blsu ARGV` in a fresh interpreter; its result and the top-level modules it loaded."""
    listing = tmp_path / "modules.txt"
    env = {**os.environ, "BLSU_DB": str(tmp_path / "blsu.duckdb")}
    proc = subprocess.run([sys.executable, "-c", RUN, str(listing), *argv], env=env,
                          capture_output=True, text=True, timeout=60)
    return proc, set(listing.read_text().split())


def test_help_loads_no_heavy_library(tmp_path: Path) -> None:
    proc, modules = loaded_by(tmp_path, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "refresh" in proc.stdout and "trajectories" in proc.stdout
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


def test_a_query_loads_duckdb_and_no_heavy_library(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "blsu.duckdb")) as con:
        con.execute("create table answer as select 41 + 1 as n")
    proc, modules = loaded_by(tmp_path, "sql", "select n from answer")
    assert proc.returncode == 0, proc.stderr
    assert "42" in proc.stdout
    assert "duckdb" in modules
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


def test_a_command_loads_what_it_runs(tmp_path: Path) -> None:
    """The check above can fail: a command that needs the estimator loads it."""
    proc, modules = loaded_by(tmp_path, "trajectories", "--help")
    assert proc.returncode == 0, proc.stderr
    assert {"gbtm", "scipy"} <= modules
