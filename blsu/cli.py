"""The `blsu` command: generate synthetic extracts, build the warehouse, compute the statistics."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

from blsu import refresh as rf
from blsu.dbt_runner import BuildError, WarehouseLockedError, build_warehouse
from blsu.paths import Paths, has_extracts

ENV_HELP = """environment:
  BLSU_RAW_DIR   raw extracts folder (default data/raw)
  BLSU_DB        DuckDB warehouse file (default data/blsu.duckdb)
  BLSU_RESULTS   results folder (default results/)
"""


def _generate(argv: Sequence[str]) -> int:
    from blsu_synth.cli import main as generate_main

    return generate_main(list(argv))


def _trajectories(argv: Sequence[str]) -> int:
    from gbtm.cli import main as trajectories_main

    return trajectories_main(list(argv))


def _stats(argv: Sequence[str]) -> int:
    from python_stats.cli import main as stats_main

    return stats_main(list(argv))


DELEGATED: dict[str, tuple[Callable[[Sequence[str]], int], str]] = {
    "generate": (_generate, "write synthetic raw extracts in the CBS layout (`generate --help`)"),
    "stats": (_stats, "tests, effect sizes, figures and the report (`stats --help`)"),
    "trajectories": (_trajectories, "group-based trajectory models (`trajectories fit --help`)"),
}


def _step(name: str, quiet: bool) -> Callable[[], None]:
    """Announce a step of the main job and return a callable that reports its duration."""
    start = time.perf_counter()
    if not quiet:
        print(f"==> {name}", file=sys.stderr, flush=True)

    def done() -> None:
        if not quiet:
            print(f"    {name}: done in {time.perf_counter() - start:.1f} s", file=sys.stderr)

    return done


def cmd_build(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    extra = list(args.dbt_args)
    if args.vars:
        extra += ["--vars", args.vars]
    build_warehouse(paths, quiet=args.quiet, extra_args=extra)
    print(f"warehouse built: {paths.db}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    if has_extracts(paths.raw_dir):
        print(f"using the raw extracts in {paths.raw_dir}", file=sys.stderr)
    else:
        done = _step(f"generate synthetic extracts ({args.size}) into {paths.raw_dir}", args.quiet)
        gen = ["--out", str(paths.raw_dir), "--size", args.size, "--seed", str(args.seed)]
        if _generate(gen + (["--quiet"] if args.quiet else [])) != 0:
            return 1
        done()
    done = _step(f"dbt build into {paths.db}", args.quiet)
    build_warehouse(paths, quiet=args.quiet)
    done()
    done = _step(f"statistics, figures and report into {paths.results}", args.quiet)
    stats = ["--db", str(paths.db), "--results", str(paths.results), "--lang", args.lang]
    if _stats(stats + (["--quiet"] if args.quiet else [])) != 0:
        return 1
    done()
    print(f"report: {paths.results / 'report.html'}")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    if not has_extracts(paths.raw_dir):
        print(
            f"blsu refresh: no raw extracts in {paths.raw_dir}; set BLSU_RAW_DIR", file=sys.stderr
        )
        return rf.EXIT_FAILED
    return rf.run_refresh(paths, _stats, vars_text=args.vars, force=args.force)


REFRESH_HELP = """Load what landed in $BLSU_RAW_DIR and rebuild only what it affects, then the
statistics and the report. A new year of OMZAKEN or SLOAANG is added, a higher version of a year
replaces that year, unchanged years are not read. Works on copies of the warehouse and the
results and swaps them in only on success. Prints one summary line.

exit codes:
  0   refreshed
  3   nothing new (raw extracts and vars unchanged since the last refresh)
  1   failed: bad input or a failed build; warehouse and results are unchanged
  75  locked: another refresh runs, or another process has the warehouse open for
      writing; try again later
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blsu",
        description="BL-SU warehouse: LVB and victimisation of offenders of domestic sexual "
        "exploitation, reproduced from CBS-layout microdata.",
        epilog=ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)

    build = sub.add_parser(
        "build",
        help="dbt build of the warehouse, swapped in only on success",
        epilog=ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("--quiet", action="store_true", help="print dbt's log only on failure")
    build.add_argument(
        "--vars", help="dbt vars as YAML, e.g. '{victim_window_end: \"2024-12-31\"}'"
    )
    build.add_argument(
        "dbt_args",
        nargs=argparse.REMAINDER,
        help="extra arguments for dbt build after `--`, e.g. -- --vars '{...}'",
    )
    build.set_defaults(func=cmd_build)

    run = sub.add_parser(
        "run",
        help="the main job: generate (when no extracts exist), build, "
        "statistics, figures and report",
        epilog=ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--size", default="default", help="generator size when no extracts exist")
    run.add_argument("--seed", type=int, default=20240201, help="generator seed")
    run.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of figures")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    run.set_defaults(func=cmd_run)

    refresh = sub.add_parser(
        "refresh",
        help="for schedulers: rebuild when raw files landed or changed, then statistics",
        description=REFRESH_HELP,
        epilog=ENV_HELP + "\nSee docs/refresh.md (cron and systemd examples).\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    refresh.add_argument(
        "--force", action="store_true", help="rebuild every model even when nothing changed"
    )
    refresh.add_argument(
        "--vars",
        help="dbt vars as YAML, e.g. '{victim_window_end: \"2024-12-31\"}'; pass the same "
        "vars on every run (a change of vars rebuilds every model)",
    )
    refresh.set_defaults(func=cmd_refresh)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        return DELEGATED[argv[0]][0](argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if getattr(args, "dbt_args", None) and args.dbt_args[0] == "--":
        args.dbt_args = args.dbt_args[1:]
    try:
        return args.func(args)
    except WarehouseLockedError as exc:
        print(f"blsu {args.command}: {exc}", file=sys.stderr)
        return rf.EXIT_LOCKED
    except BuildError as exc:
        print(f"blsu {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
