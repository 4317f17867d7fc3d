"""How long a one-year refresh takes in a process that already has dbt and the statistics loaded.

A measurement for the design of a resident refresh (not a feature): `blsu refresh` starts a new
dbt process every time, and about 10 s of each refresh is the same whatever the data (importing
and starting dbt, importing the statistics). This script pays that once, then times the part a
resident process would repeat: copy the warehouse, `dbt build` of what a changed SLOAANG year
affects (dbt's programmatic runner with the parsed manifest), the statistics.

Run after `national_benchmark.py` for the same preset, which leaves its warehouse in
benchmarks/cache/run_<preset>/ (the raw folder is laid again here as hard links):

    .venv/bin/python benchmarks/warm_refresh.py --preset national --runs 3

dbt-duckdb keeps the warehouse file open inside the process after a run, so the statistics here
read a second copy; a resident refresh would run dbt in a forked child so that the file is
released when the child exits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache"
YEAR_FILE = "SLOAANG/SLOAANG2019CBKV2.parquet"


def lay_raw(preset: str, work: Path) -> Path:
    """Hard-linked raw folder with a corrected 2019 police file (as the national benchmark)."""
    raw = work / "raw"
    if not raw.exists():
        shutil.copytree(CACHE / f"{preset}_parquet", raw, copy_function=os.link)
    corrected = raw / YEAR_FILE
    if not corrected.exists():
        shutil.copyfile(raw / "SLOAANG/SLOAANG2019CBKV1.parquet", corrected)
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="national")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = CACHE / f"run_{args.preset}"
    db, scratch, stats_db = work / "blsu.duckdb", work / "warm.duckdb", work / "warm-stats.duckdb"
    if not db.exists():
        raise SystemExit(f"no warehouse at {db}: run national_benchmark.py for {args.preset} first")
    raw = lay_raw(args.preset, work)
    os.chdir(ROOT)
    os.environ.update(
        BLSU_RAW_DIR=str(raw), BLSU_DB=str(scratch), DBT_SEND_ANONYMOUS_USAGE_STATS="false"
    )
    start = time.perf_counter()
    from dbt.cli.main import dbtRunner

    import python_stats.comparisons  # noqa: F401  (scipy, statsmodels)
    from python_stats import pipeline
    from python_stats.figures import pyplot

    pyplot()
    common = ["--project-dir", str(ROOT), "--profiles-dir", str(ROOT / "profiles"),
              "--target-path", str(work / "warm-target"), "--quiet"]
    shutil.copyfile(db, scratch)
    manifest = dbtRunner().invoke(["parse", *common]).result
    print(f"once: imports and parse {time.perf_counter() - start:.1f} s")
    build = ["build", "--select", "source:cbs.sloaang+", "source:cbs.raw_file_inventory+",
             "--exclude-resource-type", "unit_test", *common]
    shutil.copyfile(db, stats_db)
    try:
        for run in range(1, args.runs + 1):
            os.utime(raw / YEAR_FILE)  # the corrected year looks changed again
            t0 = time.perf_counter()
            shutil.copyfile(db, scratch)
            t1 = time.perf_counter()
            ok = dbtRunner(manifest=manifest).invoke(build).success
            t2 = time.perf_counter()
            pipeline.run(stats_db, work / "warm-results", progress=False)
            t3 = time.perf_counter()
            status = "ok" if ok else "FAILED"
            print(f"run {run}: copy {t1 - t0:.1f} s, dbt {t2 - t1:.1f} s ({status}), "
                  f"statistics {t3 - t2:.1f} s, total {t3 - t0:.1f} s", flush=True)
    finally:
        for leftover in (scratch, stats_db):
            leftover.unlink(missing_ok=True)
            leftover.with_name(leftover.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(work / "warm-results", ignore_errors=True)


if __name__ == "__main__":
    main()
