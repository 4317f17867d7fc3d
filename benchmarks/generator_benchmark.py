"""Benchmark of the synthetic-extract generator: wall time and peak RSS per size preset.

Each size runs `python -m blsu_synth` in a subprocess; peak RSS is the maximum over polls (every
0.2 s) of the summed VmRSS of the process tree, read from /proc. Results go to
benchmarks/RESULTS_generator.md. Usage:

    .venv/bin/python benchmarks/generator_benchmark.py [--sizes small default national]
        [--format parquet] [--workdir benchmarks/cache]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from process_tree import run_measured  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS_generator.md"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_one(size: str, fmt: str, workdir: Path) -> dict[str, object]:
    """Generate one preset; return wall seconds, peak RSS (MiB), output size (MiB), rows."""
    out = workdir / f"{size}_{fmt}"
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "blsu_synth",
        "--out",
        str(out),
        "--size",
        size,
        "--format",
        fmt,
        "--quiet",
    ]
    wall, peak_mib, code = run_measured(cmd, 0.2, env=env, cwd=ROOT)
    if code != 0:
        raise SystemExit(f"generator failed for size {size} (exit {code})")
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    rows = sum(manifest["row_counts"].values())
    police = sum(v for k, v in manifest["row_counts"].items() if k.startswith("SLOAANG/"))
    return {
        "size": size,
        "format": fmt,
        "wall_s": wall,
        "peak_rss_mib": peak_mib,
        "output_mib": folder_size(out) / 2**20,
        "rows": rows,
        "police_rows_per_year": police / 15,
    }


def write_results(results: list[dict[str, object]]) -> None:
    lines = [
        "# Generator benchmark",
        "",
        f"Machine: {os.cpu_count()} cores. `python -m blsu_synth --size SIZE --format FORMAT`; "
        "peak RSS summed over the process tree, polled every 0.2 s.",
        "",
        "| size | format | wall time (s) | peak RSS (MiB) | output (MiB) | rows | "
        "SLOAANG rows per file |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['size']} | {r['format']} | {r['wall_s']:.1f} | {r['peak_rss_mib']:.0f} | "
            f"{r['output_mib']:.1f} | {r['rows']:,} | {r['police_rows_per_year']:,.0f} |"
        )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["small", "default", "national"])
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv", "sav"])
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "cache")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        result = run_one(size, args.format, args.workdir)
        print(result, flush=True)
        results.append(result)
        write_results(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
