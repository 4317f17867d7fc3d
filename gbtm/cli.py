"""`blsu trajectories fit INPUT`: group-based trajectory models of any long count table;
`blsu trajectories cache`: the fits the warehouse builds stored (gbtm.cache)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from blsu_core.command import Command, module_main
from gbtm import cache
from gbtm.data import InputError, TrajectoryData, read_table
from gbtm.model import FAMILIES
from gbtm.outputs import build_outputs
from gbtm.profiles import study_profiles
from gbtm.selection import MIN_AVEPP, MIN_OCC, MIN_SHARE, select_models

DESCRIPTION = """Fit group-based trajectory models (zero-inflated Poisson or Poisson groups, log
rate a polynomial in age) to a long table with one row per person and observed age, for
K = --groups, and write the model-selection table, the parameters with standard errors, the
fitted curves with 95% intervals and the group assignments into --out.

Unobserved ages must be left out of the input (not given as zero); the optional exposure column
is the observed part of each age-year and enters as an offset.
"""

EPILOG = f"""model selection:
  bic_nagin = log L - 0.5 k ln N (N persons), bic_person_ages the same with N person-ages;
  higher is better. Admissible: every group AvePP >= {MIN_AVEPP}, OCC >= {MIN_OCC:g}, share and
  assigned share >= {MIN_SHARE:.0%}. The selected model is the admissible one with the highest
  bic_nagin; inadmissible models are listed with the rules they fail.

output files (in --out):
  model_selection.csv  one row per K
  parameters.csv       every parameter of every K with its standard error, and the shares
  curves.csv           expected count per year by age and group, 95% interval, profile name
  groups.csv           per group: peak age, level, share, AvePP, OCC, profile name
  assignments.csv      selected model: group, profile and posterior probabilities per person
  fit.json             settings, seed and the selected K
"""


def parse_groups(text: str) -> list[int]:
    """`1-6` or `2,3,4` -> a sorted list of group counts."""
    try:
        if "-" in text:
            lo, hi = (int(v) for v in text.split("-", 1))
            out = list(range(lo, hi + 1))
        else:
            out = sorted({int(v) for v in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--groups: expected e.g. 1-6 or 2,3,4, got {text!r}"
        ) from None
    if not out or min(out) < 1 or max(out) > 12:
        raise argparse.ArgumentTypeError(f"--groups: group counts must be 1..12, got {text!r}")
    return out


def parse_profiles(text: str) -> tuple[str, ...]:
    """`a,b,c,d` -> the four group names (lowest level, early peak, late peak, highest level)."""
    names = tuple(name.strip() for name in text.split(","))
    if len(names) != 4 or not all(names) or len(set(names)) != 4:
        raise argparse.ArgumentTypeError(
            f"--profiles: expected four different names separated by commas, got {text!r}")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The commands of `blsu trajectories` and their options."""
    sub = parser.add_subparsers(dest="trajectories_command", metavar="COMMAND", required=True)
    fit = sub.add_parser(
        "fit",
        help="fit K = 1..6 trajectory models to a long (person, age, count) table",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument("input", type=Path, help="CSV or Parquet file, one row per person and age")
    fit.add_argument("--out", type=Path, required=True, help="output folder (created)")
    fit.add_argument(
        "--groups",
        type=parse_groups,
        default=parse_groups("1-6"),
        help="numbers of groups to fit, e.g. 1-6 (default) or 3,4,5",
    )
    fit.add_argument("--seed", type=int, default=0, help="random seed of the starts (default 0)")
    fit.add_argument("--starts", type=int, default=50, help="random starts per K (default 50)")
    fit.add_argument("--family", choices=FAMILIES, default="zip", help="default zip")
    fit.add_argument(
        "--degree",
        type=int,
        default=3,
        choices=[0, 1, 2, 3],
        help="polynomial degree of the log rate in age (default 3)",
    )
    fit.add_argument(
        "--zi-degree",
        type=int,
        default=0,
        choices=[0, 1, 2, 3],
        help="polynomial degree of the logit zero inflation (default 0: constant)",
    )
    fit.add_argument("--person", default="person", help="person column (default person)")
    fit.add_argument("--age", default="age", help="age column (default age)")
    fit.add_argument("--count", default="count", help="count column (default count)")
    fit.add_argument("--exposure", default=None, help="exposure column (default: none)")
    fit.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes, one K each (default: 2, or 1 on a single core)",
    )
    fit.add_argument(
        "--profiles",
        type=parse_profiles,
        default=None,
        help="four names for the groups, in the order lowest level, early peak, late peak, "
        "highest level, e.g. low,early,late,high (default: the study's profiles seed)",
    )
    fit.add_argument("--quiet", action="store_true", help="no progress output")
    cache = sub.add_parser(
        "cache",
        help="list the trajectory fits stored by warehouse builds, or remove them (--clear)",
        description="The warehouse's trajectory fits are stored once per input (age counts, "
        "trajectory vars, estimator code) and reused by the next build (docs/trajectories.md). "
        "List them, newest use first, or remove them all.",
    )
    cache.add_argument(
        "--folder",
        type=lambda text: Path(text).expanduser().resolve(),
        default=None,
        help="the store (default: $BLSU_TRAJECTORY_CACHE, else trajectory_fits in the ingest "
        "folder, $BLSU_INGEST_DIR or <BLSU_DB>.ingest)",
    )
    cache.add_argument("--clear", action="store_true", help="remove every stored fit")


def cmd_fit(args: argparse.Namespace) -> int:
    if args.starts < 1:
        raise InputError("--starts must be >= 1")
    frame = read_table(args.input)
    data = TrajectoryData.from_frame(
        frame,
        person=args.person,
        age=args.age,
        count=args.count,
        exposure=args.exposure,
        source=str(args.input),
    )
    if not args.quiet:
        print(
            f"{data.n_persons} persons, {data.n_obs} person-ages; fitting K = "
            f"{','.join(map(str, args.groups))} with {args.starts} starts each",
            file=sys.stderr,
        )
    start = time.perf_counter()
    selection = select_models(
        data,
        args.groups,
        degree=args.degree,
        family=args.family,
        zi_degree=args.zi_degree,
        n_starts=args.starts,
        seed=args.seed,
        progress=not args.quiet,
        jobs=max(1, args.jobs),
    )
    out = build_outputs(selection, args.profiles)
    args.out.mkdir(parents=True, exist_ok=True)
    out.model_selection.to_csv(args.out / "model_selection.csv", index=False)
    out.parameters.to_csv(args.out / "parameters.csv", index=False)
    out.curves.to_csv(args.out / "curves.csv", index=False)
    out.groups.to_csv(args.out / "groups.csv", index=False)
    out.assignments.to_csv(args.out / "assignments.csv", index=False)
    chosen = selection.selected
    meta = {
        "input": str(args.input),
        "seed": args.seed,
        "starts": args.starts,
        "groups": args.groups,
        "family": args.family,
        "degree": args.degree,
        "zi_degree": args.zi_degree,
        "profiles": list(args.profiles or study_profiles()),
        "bic_convention": "log L - 0.5 k ln N (N persons); higher is better",
        "selected_n_groups": chosen.spec.n_groups if chosen else None,
        "assignments_n_groups": out.reported.spec.n_groups,
        "seconds": round(time.perf_counter() - start, 1),
    }
    (args.out / "fit.json").write_text(json.dumps(meta, indent=2) + "\n")
    if chosen is None:
        print(
            f"no admissible model; assignments are of the best-BIC model "
            f"(K = {out.reported.spec.n_groups})",
            file=sys.stderr,
        )
    else:
        print(f"selected K = {chosen.spec.n_groups} (highest Nagin BIC among admissible models)")
    print(f"written: {args.out}")
    return 0


def store_folder(given: Path | None) -> Path | None:
    """The store of `blsu trajectories cache`: --folder, else $BLSU_TRAJECTORY_CACHE (`off`:
    none), else trajectory_fits in the ingest folder, as config trajectory_cache of
    int_trajectory_fits renders it for dbt."""
    if given is not None:
        return given
    value = os.environ.get("BLSU_TRAJECTORY_CACHE", "").strip()
    if value:
        folder = cache.folder_setting(value)
        return None if folder is None else folder.resolve()
    from blsu_core.paths import Paths

    return Paths.from_env().ingested / cache.FOLDER_NAME


def cmd_cache(args: argparse.Namespace) -> int:
    folder = store_folder(args.folder)
    if folder is None:
        print(f"the fit store is off (BLSU_TRAJECTORY_CACHE={cache.OFF}): nothing stored")
        return 0
    if args.clear:
        print(f"removed {cache.clear(folder)} files from {folder}")
        return 0
    found = cache.entries(folder)
    print(f"{len(found)} stored fits in {folder} (the newest {cache.KEEP} are kept)")
    for entry in found:
        settings = entry.inputs.get("settings", {})
        groups = ",".join(map(str, settings.get("groups", []))) or "?"
        described = (f"K {groups}, {settings.get('starts', '?')} starts, seed "
                     f"{settings.get('seed', '?')}, age counts "
                     f"{str(entry.inputs.get('age_counts', '?'))[:12]}"
                     if entry.inputs else "unreadable: fitted again when needed")
        print(f"  {entry.key}  {entry.written_at or '?':25}  {entry.n_rows:>3} rows  "
              f"{entry.size_bytes / 1024:>7.0f} KiB  {described}")
    return 0


def run(args: argparse.Namespace) -> int:
    """`blsu trajectories COMMAND`; 1 with the message when the input is unusable."""
    try:
        if args.trajectories_command == "cache":
            return cmd_cache(args)
        return cmd_fit(args)
    except InputError as exc:
        print(f"blsu trajectories: {exc}", file=sys.stderr)
        return 1


COMMAND = Command("trajectories", add_arguments, description=DESCRIPTION)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m gbtm.cli`: the commands of `blsu trajectories`, with its options."""
    return module_main(COMMAND, run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
