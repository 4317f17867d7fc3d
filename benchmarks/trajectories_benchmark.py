"""Speed and reach of the trajectory estimator (gbtm).

1. default extracts: int_offender_age_counts of the default synthetic extracts (the test
   fixture tests/trajectories/fixtures/default_age_counts.parquet: N = 630, 13,217
   person-ages), K = 1..6 with the default starts and the warehouse's seed: CPU and wall time
   per K in one process, then CPU (the process and its workers) and wall time in all with
   --jobs worker processes (default: gbtm.selection.default_jobs, as the warehouse);
   with --run-results, the time dbt took for int_trajectory_fits in that run_results.json;
2. national: N = 100,000 simulated persons, K = 4 (starts on a subsample of 5,000 persons, the
   best three optima finished on all persons), unless --skip-national;
3. --experiment: the share of fits that reach the reference optimum of every K
   (tests/trajectories/fixtures/default_reference.json) for several start counts and seeds,
   with their CPU time: the experiment the default number of starts comes from;
4. --write-reference: the batched estimator's 500-start reference with every start converged,
   merged with the previous estimator's values kept in the fixture.

Every timing comes with the load average: the machine may be shared.

    .venv/bin/python benchmarks/trajectories_benchmark.py [--skip-national] [--jobs N]
        [--run-results data/blsu.duckdb.dbt-target/run_results.json]
    .venv/bin/python benchmarks/trajectories_benchmark.py --experiment [--seeds 10]
    .venv/bin/python benchmarks/trajectories_benchmark.py --write-reference
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import gbtm  # noqa: F401  (single-threaded BLAS before numpy's first use)
from gbtm.basis import PolyBasis
from gbtm.data import TrajectoryData, observed_person_ages
from gbtm.fit import DEFAULT_SEARCH, N_STARTS, Search, fit_model
from gbtm.model import ModelSpec
from gbtm.selection import default_jobs, select_models
from gbtm.simulate import four_profile_truth, simulate
from gbtm.warehouse import AGE_COUNTS, DEGREE, FAMILY

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "trajectories" / "fixtures"
REFERENCE = FIXTURES / "default_reference.json"
GROUPS = [1, 2, 3, 4, 5, 6]
#: The experiment: start counts, and search variants beside the default.
EXPERIMENT_STARTS = (10, 20, 50, 100, 200)
VARIANTS = {
    "default": DEFAULT_SEARCH,
    "no reseeding": replace(DEFAULT_SEARCH, n_reseed=0),
    "EM ranking only (no Newton screening, no reseeding)": replace(
        DEFAULT_SEARCH, screen_steps=0, n_reseed=0
    ),
}
VARIANT_STARTS = (50, 200)
REFERENCE_SEARCH = Search(em_steps=10, screen_steps=0, n_converge=500, n_reseed=100)


def default_data() -> TrajectoryData:
    return observed_person_ages(
        pd.read_parquet(FIXTURES / "default_age_counts.parquet"), AGE_COUNTS
    )


def warehouse_seed() -> int:
    return int(yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["trajectory_seed"])


def tree_cpu() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def fit_timed(data: TrajectoryData, k: int, starts: int, seed: int, search: Search):
    spec = ModelSpec(k, degree=DEGREE, family=FAMILY)
    basis = PolyBasis.fit(data.age, DEGREE)
    cpu, wall = time.process_time(), time.perf_counter()
    fit = fit_model(data, spec, basis=basis, n_starts=starts, seed=seed * 1000 + k,
                    search=search)
    return fit, time.process_time() - cpu, time.perf_counter() - wall


def default_extracts(jobs: int, run_results: Path | None) -> None:
    data, seed = default_data(), warehouse_seed()
    print(f"## Default extracts: N = {data.n_persons}, {data.n_obs:,} person-ages, "
          f"{N_STARTS} starts, seed {seed}\n")
    print(f"before: {load()}\n")
    print("| K | log L | CPU (s) | wall (s) |\n|---|---|---|---|")
    total_cpu = total_wall = 0.0
    for k in GROUPS:
        fit, cpu, wall = fit_timed(data, k, N_STARTS, seed, DEFAULT_SEARCH)
        total_cpu, total_wall = total_cpu + cpu, total_wall + wall
        print(f"| {k} | {fit.loglik:.3f} | {cpu:.2f} | {wall:.2f} |", flush=True)
    print(f"| 1..6, one process | | {total_cpu:.2f} | {total_wall:.2f} |")
    cpu, wall = tree_cpu(), time.perf_counter()
    select_models(data, GROUPS, degree=DEGREE, family=FAMILY, n_starts=N_STARTS, seed=seed,
                  jobs=jobs)
    print(f"| 1..6, select_models, {jobs} job(s) (with the diagnostics) | | "
          f"{tree_cpu() - cpu:.2f} | {time.perf_counter() - wall:.2f} |")
    print(f"\nafter: {load()}\n")
    if run_results is not None:
        results = json.loads(run_results.read_text())
        node = next(r for r in results["results"]
                    if r["unique_id"] == "model.blsu.int_trajectory_fits")
        print(f"dbt ({run_results}): int_trajectory_fits {node['execution_time']:.1f} s wall "
              f"of {results['elapsed_time']:.1f} s\n")


def national() -> None:
    big, _ = simulate(four_profile_truth(), 100_000, np.random.default_rng(2))
    cpu, wall = time.process_time(), time.perf_counter()
    fit = fit_model(big, ModelSpec(4), n_starts=N_STARTS, seed=2)
    shares = ", ".join(f"{s:.3f}" for s in sorted(fit.shares()))
    print(f"## National: N = 100,000, {big.n_obs:,} person-ages, K = 4, {N_STARTS} starts\n\n"
          f"CPU {time.process_time() - cpu:.1f} s, wall {time.perf_counter() - wall:.1f} s, "
          f"shares {shares} (true 0.15, 0.21, 0.28, 0.36); {load()}\n")


def experiment(n_seeds: int) -> None:
    data = default_data()
    reference = {r["n_groups"]: r["loglik"] for r in json.loads(REFERENCE.read_text())["groups"]}
    runs = [("default", s) for s in EXPERIMENT_STARTS]
    runs += [(v, s) for v in VARIANTS if v != "default" for s in VARIANT_STARTS]
    print(f"## Reach of the reference optimum, {n_seeds} seeds per row; {load()}\n")
    print("| search | starts | " + " | ".join(f"K={k}" for k in GROUPS)
          + " | all K | CPU s (K = 1..6, mean) | CPU s (max) |")
    print("|---|---|" + "---|" * (len(GROUPS) + 3))
    for variant, starts in runs:
        reached = np.zeros((n_seeds, len(GROUPS)), dtype=bool)
        cpus = []
        for i, seed in enumerate(range(1, n_seeds + 1)):
            cpu = 0.0
            for j, k in enumerate(GROUPS):
                fit, seconds, _ = fit_timed(data, k, starts, seed, VARIANTS[variant])
                reached[i, j] = fit.loglik >= reference[k] - 1e-3
                cpu += seconds
            cpus.append(cpu)
        shares = " | ".join(f"{m:.0%}" for m in reached.mean(axis=0))
        print(f"| {variant} | {starts} | {shares} | {reached.all(axis=1).mean():.0%} | "
              f"{np.mean(cpus):.1f} | {np.max(cpus):.1f} |", flush=True)
    print(f"\n{load()}")


def write_reference() -> None:
    data = default_data()
    fixture = json.loads(REFERENCE.read_text())
    cpu = time.process_time()
    selection = select_models(data, GROUPS, degree=DEGREE, family=FAMILY, n_starts=500, seed=1,
                              with_se=False, search=REFERENCE_SEARCH)
    for row, new in zip(fixture["groups"], selection.table(), strict=True):
        row["loglik_batched_estimator"] = new["loglik"]
        best = max(row["loglik_previous_estimator"], new["loglik"])
        if new["loglik"] >= row["loglik_previous_estimator"]:
            row["is_admissible"] = new["is_admissible"]
            row["inadmissible_because"] = new["inadmissible_because"]
        row["loglik"] = best
    REFERENCE.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {REFERENCE} ({time.process_time() - cpu:.0f} s CPU)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--jobs", type=int, default=default_jobs(len(GROUPS)))
    parser.add_argument("--run-results", type=Path, default=None)
    parser.add_argument("--experiment", action="store_true")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--write-reference", action="store_true")
    args = parser.parse_args()
    if args.experiment:
        experiment(args.seeds)
    elif args.write_reference:
        write_reference()
    else:
        default_extracts(args.jobs, args.run_results)
        if not args.skip_national:
            national()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
