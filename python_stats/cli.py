"""`blsu stats` (also `python -m python_stats`): its options, on the `blsu` parser, and its run.

`main` computes the results straight into the folder given, without the warehouse lock or the
swap, and says where it wrote them; `blsu stats`, `run` and `refresh` run `compute` into a
scratch folder under both (blsu.jobs) and name the folder the results are swapped into.
"""

from __future__ import annotations

import argparse
import sys

from blsu_core.command import ENV_HELP, Command, module_main
from blsu_core.paths import path_argument

DESCRIPTION = (
    "Significance tests, effect sizes, figures A1-A3 and the reproduction report from the "
    "warehouse marts; writes disclosure-controlled results only."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `blsu stats`."""
    path_argument(parser, "--db", "BLSU_DB", "DuckDB warehouse file")
    path_argument(parser, "--results", "BLSU_RESULTS", "results folder")
    parser.add_argument("--lang", choices=("nl", "en"), default="nl",
                        help="language of figure labels (default: nl)")
    parser.add_argument("--round-base", type=int, default=None,
                        help="round counts to multiples of this (default: dbt var "
                        "dc_rounding_base, 5)")
    parser.add_argument("--min-cell", type=int, default=None,
                        help="suppress cells resting on fewer persons (default: dbt var "
                        "dc_min_cell, 10)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the Monte Carlo tests and the bootstrap (default: dbt var "
                        "matching_seed of the warehouse's build)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


COMMAND = Command(
    "stats", add_arguments, description=DESCRIPTION + " Opens the warehouse read-only, under "
    "the lock every writing command takes.", epilog=ENV_HELP, as_written=True)


def run(args: argparse.Namespace) -> int:
    """The statistics into the folder given, then where they are; 0 on success."""
    code = compute(args)
    if code == 0 and not args.quiet:
        print(f"results written to {args.results}")
    return code


def compute(args: argparse.Namespace) -> int:
    """Run the statistics; 0 on success, 2 when the warehouse is missing or malformed."""
    from python_stats.marts import MartError
    from python_stats.pipeline import run as run_pipeline

    try:
        summary = run_pipeline(args.db, args.results, lang=args.lang,
                               round_base=args.round_base, min_cell=args.min_cell,
                               seed=args.seed, progress=not args.quiet)
    except MartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(summary.line)
    return 0


def main(argv: list[str] | None = None) -> int:
    """The statistics into the folder given (no lock, no swap), options as `blsu stats`."""
    return module_main(COMMAND, run, argv)


def compute_main(argv: list[str]) -> int:
    """The statistics into the folder given, without naming it: the caller computes into a
    scratch folder and says where the results are once they are swapped in."""
    return module_main(COMMAND, compute, argv)
