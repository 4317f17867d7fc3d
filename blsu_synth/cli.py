"""`blsu generate` (also `python -m blsu_synth`): its options, on the `blsu` parser, and its run."""

from __future__ import annotations

import argparse
import sys

from blsu_core.command import ENV_HELP, Command, module_main, reporting_errors
from blsu_core.paths import path_argument
from blsu_synth.generator import DEFAULT_SEED, GeneratorError, generate
from blsu_synth.params import PRESETS
from blsu_synth.sinks import FORMATS

__all__ = ["COMMAND", "DEFAULT_SEED", "add_arguments", "main", "run"]

PROG = "blsu generate"
DESCRIPTION = (
    "Write synthetic raw extracts (population register, deaths, OM cases, the study sample, LVB "
    "sources, police registrations) in the CBS Remote Access layout, with a manifest.json of the "
    "seed, size, format, calibration parameters and row counts."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `blsu generate`."""
    path_argument(parser, "--out", "BLSU_RAW_DIR", "output folder")
    parser.add_argument(
        "--size",
        choices=list(PRESETS),
        default="default",
        help=(
            "small: 20,000 people and 63 offenders (seconds, for tests); default: the full "
            "630-offender study in a register of 300,000 people; national: 24 million people "
            "at Dutch national volumes (minutes, streamed)"
        ),
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed (default {DEFAULT_SEED}); same seed, size and format give "
        "byte-identical files",
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=list(FORMATS),
        default="parquet",
        help="file format: parquet (default), csv (UTF-8, comma, header) or sav (SPSS)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the extracts in a non-empty output folder",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Generate as the parsed options say, print a one-line summary; 1 on failure."""
    try:
        manifest = generate(
            args.out,
            size=args.size,
            seed=args.seed,
            fmt=args.fmt,
            force=args.force,
            progress=not args.quiet,
        )
    except GeneratorError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        total = sum(manifest.row_counts.values())
        print(
            f"wrote {len(manifest.row_counts)} files ({total:,} rows) to {args.out}",
            file=sys.stderr,
        )
    return 0


COMMAND = Command("generate", add_arguments, description=DESCRIPTION, epilog=ENV_HELP,
                  as_written=True)


def main(argv: list[str] | None = None) -> int:
    """`blsu generate ARGS`; 2 on usage errors, 1 on failures."""
    return reporting_errors(PROG, lambda: module_main(COMMAND, run, argv))
