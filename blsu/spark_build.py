"""A `dbt build` on a Spark target in one process, with the trajectory model estimated inside it.

dbt-spark runs no Python models outside Databricks, so a Spark build is dbt up to the trajectory
model's input (int_offender_age_counts), the model estimated outside dbt
(`blsu.spark_trajectories`), then dbt for the rest. The three steps run in one process, so that
both dbt runs share one Spark session (a session starts in about 20 s). Every test runs once:
with the first dbt run when everything it tests is built by then (cautious selection), else with
the last; the first run's run_results.json is kept as FIRST_STEP_RESULTS.

    python -m blsu.spark_build <arguments of dbt build, with --target and --target-path>

`blsu build --target spark` runs it (`blsu.dbt_runner.run_build`); exit 0 when all passed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from blsu.spark_trajectories import AGE_COUNTS

#: dbt's run_results.json of the first dbt run, kept beside the last run's in the target folder
FIRST_STEP_RESULTS = "run_results_first_step.json"


def dbt_runs(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """The two dbt runs: up to the trajectory model's input, and the rest."""
    cautious = ["--indirect-selection", "cautious"]
    return ([*args, "--select", f"+{AGE_COUNTS}", *cautious],
            [*args, "--exclude", f"+{AGE_COUNTS}", *cautious])


def _target_path(args: Sequence[str]) -> Path:
    for i, arg in enumerate(args):
        if arg == "--target-path" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--target-path="):
            return Path(arg.split("=", 1)[1])
    return Path("target")


def _invoke(runner: object, args: list[str]) -> bool:
    done = runner.invoke(args)  # type: ignore[attr-defined]
    if done.exception is not None:
        print(f"dbt: {done.exception}", flush=True)
    return bool(done.success)


def main(argv: Sequence[str]) -> int:
    from dbt.cli.main import dbtRunner

    from blsu.spark_export import spark_warehouse
    from blsu.spark_trajectories import EstimateError, estimate

    first, last = dbt_runs(argv)
    target = _target_path(argv)
    runner = dbtRunner()
    if not _invoke(runner, first):
        return 1
    (target / "run_results.json").replace(target / FIRST_STEP_RESULTS)
    try:
        estimate(target / "manifest.json", spark_warehouse(),
                 say=lambda line: print(f"blsu build: {line}", flush=True))
    except (EstimateError, ValueError) as exc:
        print(f"blsu build: the trajectory model could not be estimated: {exc}", flush=True)
        return 1
    return 0 if _invoke(runner, last) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
