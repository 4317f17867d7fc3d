"""Benchmark of a full build against a one-year refresh (a corrected SLOAANG year).

On a copy of cached extracts (benchmarks/cache/<size>_parquet, generated when missing, as the
generator benchmark does): `blsu refresh` on an empty warehouse (a full build, statistics
included), then a corrected SLOAANG 2016 (V2 = V1 without every tenth row) and `blsu refresh`
again. Reports wall times and their ratio in benchmarks/RESULTS_refresh.md. Usage:

    .venv/bin/python benchmarks/refresh_benchmark.py [--size default|small|national]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "RESULTS_refresh.md"
BLSU = Path(sys.executable).with_name("blsu")


def extracts(size: str) -> Path:
    """The cached extracts of a size preset, generated once."""
    folder = CACHE / f"{size}_parquet"
    if not (folder / "manifest.json").exists():
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "blsu_synth", "--out", str(folder), "--size", size]
        subprocess.run([*cmd, "--format", "parquet", "--quiet", "--force"], env=env, check=True)
    return folder


def refresh(work: Path) -> tuple[float, str]:
    """Run `blsu refresh` in `work`; return wall seconds and its summary line."""
    env = {
        **os.environ,
        "BLSU_RAW_DIR": str(work / "raw"),
        "BLSU_DB": str(work / "blsu.duckdb"),
        "BLSU_RESULTS": str(work / "results"),
        "PYTHONPATH": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [str(BLSU)] if BLSU.exists() else [sys.executable, "-m", "blsu.cli"]
    start = time.perf_counter()
    proc = subprocess.run(
        [*command, "refresh"], env=env, cwd=work, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"refresh failed ({proc.returncode}):\n{proc.stderr[-5000:]}")
    return seconds, proc.stdout.strip()


def correct_year(folder: Path, year: int) -> None:
    """Write V2 of a SLOAANG year: V1 without every tenth row."""
    source = folder / f"SLOAANG{year}CBKV1.parquet"
    table = pq.read_table(source)
    keep = pc.not_equal(pc.remainder(pa.array(range(table.num_rows)), 10), 0)
    pq.write_table(table.filter(keep), folder / f"SLOAANG{year}CBKV2.parquet")


def write_results(size: str, full: tuple[float, str], one: tuple[float, str]) -> None:
    ratio = one[0] / full[0]
    RESULTS.write_text(
        "# Refresh benchmark\n\n"
        "`benchmarks/refresh_benchmark.py`: `blsu refresh` on an empty warehouse (full build "
        "and statistics), then after a corrected SLOAANG 2016 (V2) landed. Wall time includes "
        "dbt start-up, tests and the statistics. 2 cores.\n\n"
        "| size | full build (s) | one-year refresh (s) | ratio |\n|---|---|---|---|\n"
        f"| {size} | {full[0]:.1f} | {one[0]:.1f} | {ratio:.2f} |\n\n"
        f"Full: `{full[1]}`\n\nOne year: `{one[1]}`\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="default", choices=["small", "default", "national"])
    args = parser.parse_args(argv)
    source = extracts(args.size)
    with tempfile.TemporaryDirectory(prefix="blsu-refresh-bench-", dir=CACHE) as tmp:
        work = Path(tmp)
        shutil.copytree(source, work / "raw")
        full = refresh(work)
        print(f"full build: {full[0]:.1f} s  {full[1]}")
        correct_year(work / "raw" / "SLOAANG", 2016)
        one = refresh(work)
        print(f"one-year refresh: {one[0]:.1f} s  {one[1]}")
    write_results(args.size, full, one)
    print(f"written {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
