"""Speed of the trajectory estimator (gbtm): the study fit and a national-scale fit.

1. study: N = 630 persons shaped like the four profiles (gbtm.simulate), K = 1..6, 50 random
   starts per K, the K spread over --jobs worker processes (default 2, as the command);
2. national: N = 100,000 persons, K = 4, 50 starts (run on a random subsample of 5,000 persons,
   the best three optima then polished on all persons, as gbtm.fit does above 5,000 persons).

Wall time per step; writes benchmarks/RESULTS_trajectories.md.

    .venv/bin/python benchmarks/trajectories_benchmark.py [--skip-national]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

import gbtm  # noqa: F401
from gbtm.fit import fit_model
from gbtm.model import ModelSpec
from gbtm.selection import select_models
from gbtm.simulate import four_profile_truth, simulate

OUT = Path(__file__).resolve().parent / "RESULTS_trajectories.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the study fit")
    args = parser.parse_args()
    truth = four_profile_truth()
    rows = []
    data, _ = simulate(truth, 630, np.random.default_rng(1))
    start = time.perf_counter()
    sel = select_models(data, list(range(1, 7)), n_starts=50, seed=1, jobs=args.jobs)
    study = time.perf_counter() - start
    chosen = sel.selected.spec.n_groups if sel.selected else None
    rows.append(
        (
            f"study: N = 630, K = 1..6, 50 starts, {args.jobs} job(s)",
            data.n_obs,
            study,
            f"selected K = {chosen}",
        )
    )
    print(rows[-1], flush=True)
    if not args.skip_national:
        big, _ = simulate(truth, 100_000, np.random.default_rng(2))
        start = time.perf_counter()
        fit = fit_model(big, ModelSpec(4), n_starts=50, seed=2)
        national = time.perf_counter() - start
        shares = ", ".join(f"{s:.3f}" for s in sorted(fit.shares()))
        rows.append(
            ("national: N = 100,000, K = 4, 50 starts", big.n_obs, national, f"shares {shares}")
        )
        print(rows[-1], flush=True)
    lines = [
        "# Trajectory estimator benchmark",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores "
        "(shared with other work while measured); single-threaded BLAS (gbtm.threads).",
        "",
        "| run | person-ages | wall time (s) | result |",
        "|---|---|---|---|",
        *[f"| {name} | {n:,} | {secs:.1f} | {note} |" for name, n, secs, note in rows],
        "",
    ]
    OUT.write_text("\n".join(lines))
    print(OUT.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
