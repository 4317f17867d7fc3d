"""Command line: `python -m blsu_synth` (the project's `blsu generate` dispatches here)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from blsu.paths import from_env
from blsu_synth.generator import GeneratorError, generate
from blsu_synth.params import PRESETS
from blsu_synth.sinks import FORMATS

PROG = "blsu generate"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Write synthetic raw extracts (population register, deaths, OM cases, the study "
            "sample, LVB sources, police registrations) in the CBS Remote Access layout, with a "
            "manifest.json of the seed, size, format, calibration parameters and row counts."
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=from_env("BLSU_RAW_DIR"),
        help="output folder (default: $BLSU_RAW_DIR, else the project's data/raw)",
    )
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
        default=20240201,
        help="random seed (default 20240201); same seed, size and format give byte-identical files",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate, print a one-line summary; 2 on usage errors, 1 on failures."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"{PROG}: error: {exc} (see --help)", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
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
