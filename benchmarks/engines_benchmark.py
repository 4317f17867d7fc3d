"""DuckDB and Spark builds of the same extracts: wall time, where Spark's time goes, and whether
every mart is the same.

    .venv/bin/python benchmarks/engines_benchmark.py                       # default, 1%, 10%
    .venv/bin/python benchmarks/engines_benchmark.py --sizes default --work /tmp/engines

Per generator size: the extracts are generated once into `<work>/raw_<size>`; `blsu ingest`
runs once (so neither build pays the conversion); then `blsu build` (DuckDB) and
`blsu build --target spark` (local Spark session, profiles/profiles.yml) each run in a child
process and are timed; every mart of the Spark build is compared row for row with the DuckDB
build, the trajectory model's marts and columns included. Spark's time is split with dbt's
run_results.json of both of its dbt runs (before and after the trajectory model, which `blsu`
estimates between them): per kind of node (seeds, staging, intermediate, marts, data tests,
unit tests), summed over dbt's threads, and the start of a bare Spark session with the profile's
settings. Writes `benchmarks/RESULTS_engines.md` (rewritten after each size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from blsu.spark_build import FIRST_STEP_RESULTS

ROOT = Path(__file__).resolve().parents[1]
BLSU = str(Path(sys.executable).with_name("blsu"))
OUT = ROOT / "benchmarks" / "RESULTS_engines.md"


def run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - start


def node_kind(unique_id: str) -> str:
    kind, _, name = unique_id.split(".", 2)
    if kind == "model":
        if name.startswith(("int_trajectory_", "fct_trajectory_")):
            return "trajectory model"  # Python models (DuckDB); read from the step on Spark
        for layer in ("stg_", "int_", "fct_", "dim_", "dq_"):
            if name.startswith(layer):
                return {"stg_": "staging", "int_": "intermediate"}.get(layer, "marts")
    return {"seed": "seeds", "test": "data tests", "unit_test": "unit tests"}.get(kind, kind)


def time_by_kind(run_results: Path) -> tuple[float, dict[str, tuple[int, float]]]:
    """dbt's elapsed time and, per kind of node, (nodes, summed execution time), over the
    build's dbt runs (a Spark build's first run is kept as FIRST_STEP_RESULTS beside it)."""
    kinds: dict[str, list[float]] = defaultdict(list)
    elapsed = 0.0
    for path in (run_results.with_name(FIRST_STEP_RESULTS), run_results):
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        elapsed += float(data["elapsed_time"])
        for result in data["results"]:
            kinds[node_kind(result["unique_id"])].append(float(result["execution_time"]))
    return elapsed, {k: (len(v), sum(v)) for k, v in sorted(kinds.items())}


def session_start(env: dict[str, str]) -> float:
    """Seconds to start and stop a bare Spark session with the spark target's settings."""
    code = (
        "import time\n"
        "from pyspark.sql import SparkSession\n"
        "t = time.perf_counter()\n"
        "b = SparkSession.builder.enableHiveSupport()\n"
        "b = b.config('spark.master', 'local[2]').config('spark.ui.enabled', 'false')\n"
        "s = b.getOrCreate(); s.sql('select 1').collect(); s.stop()\n"
        "print(time.perf_counter() - t)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=env["BENCH_DIR"],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def compare_marts(spark_db: Path, duck_db: Path) -> tuple[int, int, list[str]]:
    """(marts compared, rows compared, differences) of every mart of the Spark build."""
    con = duckdb.connect()
    con.execute(f"attach '{spark_db}' as spark (read_only)")
    con.execute(f"attach '{duck_db}' as duck (read_only)")
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'spark' "
        "and schema_name = 'marts' order by 1").fetchall()]
    differences, rows = [], 0
    for table in tables:
        columns = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where database_name = 'spark' and "
            f"schema_name = 'marts' and table_name = '{table}' order by column_index").fetchall()]
        kept = ", ".join(f'"{c}"' for c in columns)
        rows += con.execute(f"select count(*) from spark.marts.{table}").fetchone()[0]
        for left, right in (("spark", "duck"), ("duck", "spark")):
            extra = con.execute(
                f"select count(*) from (select {kept} from {left}.marts.{table} "
                f"except all select {kept} from {right}.marts.{table})").fetchone()[0]
            if extra:
                differences.append(f"{table}: {extra} row(s) only in the {left} build")
    con.close()
    return len(tables), rows, differences


def bench(size: str, work: Path) -> dict[str, object]:
    raw = work / f"raw_{size}"
    if not (raw / "manifest.json").exists():
        subprocess.run([BLSU, "generate", "--size", size, "--out", str(raw), "--quiet"],
                       check=True)
    folder = work / f"run_{size}"
    env = dict(os.environ, BLSU_RAW_DIR=str(raw), BLSU_INGEST_DIR=str(folder / "ingest"),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false", BENCH_DIR=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    duck = dict(env, BLSU_DB=str(folder / "duckdb" / "blsu.duckdb"))
    spark = dict(env, BLSU_DB=str(folder / "spark" / "blsu.duckdb"),
                 BLSU_SPARK_WAREHOUSE=str(folder / "spark" / "warehouse"))
    ingest = run([BLSU, "ingest"], duck)
    duck_wall = run([BLSU, "build", "--quiet", "--accept-short-data"], duck)
    spark_wall = run([BLSU, "build", "--target", "spark", "--quiet", "--accept-short-data"],
                     spark)
    _, duck_kinds = time_by_kind(folder / "duckdb" / "blsu.duckdb.dbt-target" / "run_results.json")
    spark_elapsed, spark_kinds = time_by_kind(
        folder / "spark" / "blsu.duckdb.dbt-target" / "run_results.json")
    n_marts, n_rows, differences = compare_marts(folder / "spark" / "blsu.duckdb",
                                                 folder / "duckdb" / "blsu.duckdb")
    return {
        "size": size, "ingest": ingest, "duck_wall": duck_wall, "spark_wall": spark_wall,
        "spark_elapsed": spark_elapsed, "spark_kinds": spark_kinds, "duck_kinds": duck_kinds,
        "session": session_start(spark), "marts": n_marts, "rows": n_rows,
        "differences": differences,
    }


def write(results: list[dict[str, object]]) -> None:
    lines = [
        "# DuckDB and Spark builds of the same extracts",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"load average at the end {os.getloadavg()[0]:.1f} (other work shares the cores: "
        "compare the engines within a row, not with other tables)",
        "- engines: DuckDB (`dev`, threads 2, memory_limit 1GB); Spark (`spark`: local[2] "
        "session, dbt threads 4, Hive metastore in Derby, Parquet tables)",
        "- reproduce: `.venv/bin/python benchmarks/engines_benchmark.py --sizes "
        + " ".join(str(r["size"]) for r in results) + "`",
        "",
        "Wall time of `blsu build` and `blsu build --target spark` (each a child process, after "
        "one `blsu ingest`); the Spark build includes copying the marts into the DuckDB file. "
        "*marts equal*: every mart of the Spark build against the DuckDB build, row for row.",
        "",
        "| size | ingest (s) | DuckDB build (s) | Spark build (s) | Spark / DuckDB | marts equal |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        same = ("yes, " + f"{r['marts']} marts, {r['rows']:,} rows" if not r["differences"]
                else "; ".join(r["differences"]))  # type: ignore[arg-type]
        lines.append(
            f"| {r['size']} | {r['ingest']:.1f} | {r['duck_wall']:.1f} | {r['spark_wall']:.1f} "
            f"| {r['spark_wall'] / r['duck_wall']:.1f} | {same} |"  # type: ignore[operator]
        )
    lines += [
        "",
        "Where the Spark build's time goes: a bare session's start, dbt's elapsed run time, and "
        "per kind of node the summed execution time (dbt runs 4 nodes at once, so the sums "
        "exceed the elapsed time; the Spark build's two dbt runs added); DuckDB's sums beside "
        "them. Both builds fit the trajectory model: DuckDB in dbt Python models (*trajectory "
        "model*), Spark in the estimator step between its two dbt runs, in the wall time but "
        "not in dbt's (docs/engines.md).",
        "",
        "| size | session start (s) | dbt elapsed (s) | kind | nodes | Spark sum (s) | "
        "DuckDB sum (s) |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        spark_kinds: dict[str, tuple[int, float]] = r["spark_kinds"]  # type: ignore[assignment]
        duck_kinds: dict[str, tuple[int, float]] = r["duck_kinds"]  # type: ignore[assignment]
        for kind, (n, seconds) in spark_kinds.items():
            lines.append(
                f"| {r['size']} | {r['session']:.1f} | {r['spark_elapsed']:.1f} | {kind} | {n} "
                f"| {seconds:.1f} | {duck_kinds.get(kind, (0, 0.0))[1]:.1f} |"
            )
    OUT.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+",
                        default=["default", "national_1pct", "national_10pct"])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "cache" / "engines")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        print(f"==> {size}", flush=True)
        results.append(bench(size, args.work.resolve()))
        write(results)
    print(OUT.read_text())


if __name__ == "__main__":
    main()
