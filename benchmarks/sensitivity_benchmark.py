"""Benchmark of `blsu sensitivity`: the declared variants on the default extracts.

On a hard-linked copy of cached extracts (benchmarks/cache/<size>_parquet, generated when
missing): `blsu run` (the main build and results, not timed here), then `blsu sensitivity`
with `--jobs N` (and `--only` when given). Measures the command's wall time, the CPU time of
its process tree, the load average before and after (the machine may be shared), and reads
each variant's seconds and the trajectory model's share of them from the progress lines. The
trajectory model is the largest part of most builds; the estimate beside the measurement takes
it out of every variant, as a build that reuses an unchanged fit would:

    estimate = wall - (trajectory model seconds of all variants) / jobs

Writes benchmarks/RESULTS_sensitivity.md (everything from its `## Analysis` heading on is
kept). Usage:

    .venv/bin/python benchmarks/sensitivity_benchmark.py [--size default] [--jobs 2]
        [--only NAME ...] [--starts 5]

`--starts` sets BLSU_TRAJECTORY_STARTS for the main build and the variants (the study's 50 by
default; fewer starts shorten every fit, and the estimate above does not depend on them).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from refresh_benchmark import extracts  # the cached extracts of a size, generated once

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "RESULTS_sensitivity.md"
BLSU = Path(sys.executable).with_name("blsu")
ANALYSIS = "## Analysis"  # kept when the file is rewritten
LINE = re.compile(r"^variant (\d+) of (\d+): (\S+) \(([\d.]+) s(?:, trajectory model "
                  r"([\d.]+) s)?\)")


def blsu(work: Path, starts: int | None, *args: str) -> tuple[float, float,
                                                             subprocess.CompletedProcess[str]]:
    """Run `blsu` in `work`: wall seconds, CPU seconds of its process tree, the process."""
    env = {**os.environ, "BLSU_RAW_DIR": str(work / "raw"), "BLSU_DB": str(work / "blsu.duckdb"),
           "BLSU_RESULTS": str(work / "results"), "PYTHONPATH": str(ROOT),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if starts is not None:
        env["BLSU_TRAJECTORY_STARTS"] = str(starts)
    command = [str(BLSU)] if BLSU.exists() else [sys.executable, "-m", "blsu.cli"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*command, *args], env=env, cwd=work, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"blsu {' '.join(args)} failed ({proc.returncode}):\n"
                         f"{proc.stderr[-5000:]}")
    return wall, cpu, proc


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="default")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--starts", type=int, default=None)
    args = parser.parse_args()
    source = extracts(args.size)
    with tempfile.TemporaryDirectory(prefix="blsu-sensitivity-") as tmp:
        work = Path(tmp)
        shutil.copytree(source, work / "raw", copy_function=os.link)
        blsu(work, args.starts, "run", "--quiet")
        load_before = load()
        only = [x for name in args.only for x in ("--only", name)]
        wall, cpu, proc = blsu(work, args.starts, "sensitivity", "--jobs", str(args.jobs), *only)
        load_after = load()
    variants = [LINE.match(x) for x in proc.stderr.splitlines()]
    rows = [(m[3], float(m[4]), float(m[5] or 0)) for m in variants if m]
    model = sum(r[2] for r in rows)
    estimate = wall - model / args.jobs
    command = " ".join(["benchmarks/sensitivity_benchmark.py", "--size", args.size, "--jobs",
                        str(args.jobs), *only, *(["--starts", str(args.starts)]
                                                 if args.starts is not None else [])])
    table = "\n".join(f"| {name} | {seconds:.1f} | {fit:.1f} |" for name, seconds, fit in rows)
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    analysis = old[old.index(ANALYSIS):] if ANALYSIS in old else ""
    RESULTS.write_text(
        "# Sensitivity benchmark\n\n"
        f"`{command}` on {platform.node()} ({os.cpu_count()} cores), "
        f"{time.strftime('%Y-%m-%d %H:%M')}.\n\n"
        "| variants | jobs | wall (s) | CPU of the process tree (s) | load before | load after "
        "| trajectory model, all variants (s) | wall without it, estimated (s) |\n"
        "|---|---|---|---|---|---|---|---|\n"
        f"| {len(rows)} | {args.jobs} | {wall:.1f} | {cpu:.1f} | {load_before} | {load_after} "
        f"| {model:.1f} | {estimate:.1f} |\n\n"
        "Per variant (wall seconds of build and statistics, of which the trajectory model's "
        "nodes as dbt's run_results.json gives them):\n\n"
        "| variant | s | trajectory model (s) |\n|---|---|---|\n" + table + "\n\n" + analysis,
        encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
