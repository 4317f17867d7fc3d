"""Command line: `python -m python_stats` and the `blsu stats` subcommand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from blsu.paths import from_env
from python_stats.marts import MartError
from python_stats.pipeline import run


def build_parser() -> argparse.ArgumentParser:
    """Arguments with the environment's defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m python_stats",
        description="Significance tests, effect sizes, figures A1-A3 and the reproduction "
        "report from the warehouse marts; writes disclosure-controlled results only.",
    )
    parser.add_argument("--db", type=Path,
                        default=from_env("BLSU_DB"),
                        help="DuckDB warehouse file (default: $BLSU_DB or the project's "
                        "data/blsu.duckdb)")
    parser.add_argument("--results", type=Path,
                        default=from_env("BLSU_RESULTS"),
                        help="results folder (default: $BLSU_RESULTS or the project's results/)")
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
                        "matching_seed)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the statistics; 0 on success, 2 when the warehouse is missing or malformed."""
    args = build_parser().parse_args(argv)
    try:
        summary = run(args.db, args.results, lang=args.lang, round_base=args.round_base,
                      min_cell=args.min_cell, seed=args.seed, progress=not args.quiet)
    except MartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(summary.line)
        print(f"results written to {summary.results_dir}")
    return 0
