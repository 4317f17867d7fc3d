"""The `blsu` command: generate synthetic extracts, build the warehouse, compute the statistics.

One parser for every command and its options, with one path rule (blsu_core.paths) and one-line
usage errors (blsu_core.command). Every command is declared once (a `Command`: its help texts
and options) in the module that runs it: generate (blsu_synth.cli), stats (python_stats.cli),
sql (blsu.sql), docs (blsu.docs), check-output (python_stats.output_check), trajectories
(gbtm.cli), and the commands that build and swap, here. The `python -m` entry points of
blsu_synth, python_stats and gbtm.cli parse with their command too (`module_main`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence

from blsu.dbt_runner import BuildError, WarehouseLockedError
from blsu.lock import EXIT_LOCKED, LockedError, warehouse_lock
from blsu.progress import DbtProgress, showing
from blsu_core.command import (
    ENV_HELP,
    Command,
    Parser,
    Run,
    UsageError,
    debugging,
    module_main,
    parse,
    reporting_errors,
)
from blsu_core.paths import PathError, Paths, cli_path, has_extracts
from blsu_core.record import VarsError, normalise_vars
from blsu_ingest.expectations import OVERRIDE_FLAG
from blsu_ingest.inventory import RawExtractError

ACCEPT_HELP = (
    "build even when a dataset holds less than the study expects (an empty folder, few "
    "linkable keys or parseable dates, codes in another coding); the shortfalls are printed "
    "as warnings. See docs/refresh.md"
)


def _generate(argv: Sequence[str]) -> int:
    from blsu_synth import cli as generate

    return module_main(generate.COMMAND, generate.run, argv)


def _stats(argv: Sequence[str]) -> int:
    """The statistics as they are (python_stats), into the folder argv names."""
    from python_stats.cli import compute_main

    return compute_main(list(argv))


def cmd_stats(args: argparse.Namespace) -> int:
    """`blsu stats`: the results of the warehouse, under its lock, swapped in when complete."""
    from blsu import jobs

    rest = _without_options(args.argv, ("--db", "--results"))
    paths = Paths(raw_dir=Paths.from_env().raw_dir, db=args.db, results=args.results)
    with warehouse_lock(paths.db, "blsu stats"):
        jobs.prepare(paths, "stats")
        jobs.stats_only(paths, _stats, rest, quiet="--quiet" in rest)
    if "--quiet" not in rest:
        print(f"results written to {paths.results}")
    return 0


def _without_options(argv: list[str], names: tuple[str, ...]) -> list[str]:
    """argv without the given options and their values (`--db x` and `--db=x`)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in names:
            skip = True
        elif not arg.startswith(tuple(f"{name}=" for name in names)):
            out.append(arg)
    return out


def _step(name: str, quiet: bool) -> Callable[[], None]:
    """Announce a step of the main job and return a callable that reports its duration."""
    start = time.perf_counter()
    if not quiet:
        print(f"==> {name}", file=sys.stderr, flush=True)

    def done() -> None:
        if not quiet:
            print(f"    {name}: done in {time.perf_counter() - start:.1f} s", file=sys.stderr)

    return done


def _split_vars(args: argparse.Namespace) -> tuple[dict[str, object], list[str]]:
    """The normalised vars (from --vars or a `--vars` among the dbt arguments) and the rest."""
    extra, text = [], getattr(args, "vars", None)
    dbt_args = list(getattr(args, "dbt_args", []) or [])
    while dbt_args:
        arg = dbt_args.pop(0)
        if arg == "--vars" and dbt_args:
            text = dbt_args.pop(0)
        elif arg.startswith("--vars="):
            text = arg.split("=", 1)[1]
        else:
            extra.append(arg)
    return normalise_vars(text), extra


def cmd_build(args: argparse.Namespace) -> int:
    from blsu import jobs

    paths = Paths.from_env()
    dbt_vars, extra = _split_vars(args)
    with warehouse_lock(paths.db, "blsu build"), \
            showing(None if args.quiet else DbtProgress(verbose=args.verbose)):
        jobs.prepare(paths, "build")
        jobs.build(paths, dbt_vars, extra_args=extra, accept_short=args.accept_short_data,
                   quiet=args.quiet, target=args.target)
    print(f"warehouse built: {paths.db}")
    return 0


def cmd_spark_trajectories(args: argparse.Namespace) -> int:
    """`blsu spark-trajectories`: the estimator step of a Spark build made with dbt itself."""
    from blsu import jobs
    from blsu.dbt_runner import dbt_target, run_dbt, target_type
    from blsu.spark_export import WAREHOUSE_VARIABLE, spark_warehouse
    from blsu.spark_trajectories import EstimateError, estimate
    from blsu_core.record import vars_argument

    paths = Paths.from_env()
    dbt_vars, _ = _split_vars(args)
    if target_type(args.target) != "spark":
        raise BuildError(f"target {args.target} is not a Spark target: on other engines dbt "
                         "fits the trajectory model itself")
    os.environ[WAREHOUSE_VARIABLE] = str(spark_warehouse())
    with warehouse_lock(paths.db, "blsu spark-trajectories"):
        target = dbt_target(paths.db)
        run_dbt(["parse", "--target", args.target, *vars_argument(dbt_vars)], paths, quiet=True,
                target_path=target)
        try:
            folder = estimate(target / "manifest.json", spark_warehouse(),
                              say=lambda line: jobs.say("spark-trajectories", line))
        except (EstimateError, ValueError) as exc:
            raise BuildError(f"the trajectory model could not be estimated: {exc}") from exc
    print(f"trajectory estimates written to {folder}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from blsu import jobs
    from blsu_ingest.ingest import ingest
    from blsu_ingest.spark_plan import write_spark_plans

    paths = Paths.from_env()
    with warehouse_lock(paths.db, "blsu ingest"):
        found = ingest(paths.raw_dir, paths.ingested, say=lambda line: jobs.say("ingest", line))
        write_spark_plans(paths.raw_dir, paths.ingested, found)
    print(f"{'dataset':<17} {'file':<31} {'year':>4} {'ver':>3} {'rows':>11}  state")
    for files in found.values():
        for f in files:
            rows = "" if f.n_rows is None else f"{f.n_rows:,}"
            print(
                f"{f.dataset:<17} {f.file_name:<31} {f.year or '':>4} {f.version or '':>3} "
                f"{rows:>11}  {f.state}"
            )
    print(f"ingested into {paths.ingested}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from blsu import jobs

    paths = Paths.from_env()
    with warehouse_lock(paths.db, "blsu run"):
        jobs.prepare(paths, "run")
        if has_extracts(paths.raw_dir):
            print(f"using the raw extracts in {paths.raw_dir}", file=sys.stderr)
        else:
            done = _step(f"generate synthetic extracts ({args.size}) into {paths.raw_dir}",
                         args.quiet)
            gen = ["--out", str(paths.raw_dir), "--size", args.size, "--seed", str(args.seed)]
            if _generate(gen + (["--quiet"] if args.quiet else [])) != 0:
                return 1
            done()
        done = _step(f"dbt build into {paths.db}, statistics, figures and report into "
                     f"{paths.results}", args.quiet)

        def stats(argv: Sequence[str]) -> int:
            return _stats([*argv, "--lang", args.lang])

        with showing(None if args.quiet else DbtProgress(verbose=args.verbose)):
            jobs.build(paths, {}, accept_short=args.accept_short_data, quiet=args.quiet,
                       stats=stats, stats_quiet=args.quiet)
        done()
    print(f"wrote the warehouse {paths.db} and the results {paths.results} "
          f"(report: {paths.results / 'report.html'})")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from blsu import refresh as rf

    paths = Paths.from_env()
    if not has_extracts(paths.raw_dir):
        print(
            f"blsu refresh: no raw extracts in {paths.raw_dir}; set BLSU_RAW_DIR", file=sys.stderr
        )
        return rf.EXIT_FAILED
    with showing(DbtProgress(verbose=args.verbose)):
        code = rf.run_refresh(paths, _stats, vars_text=args.vars, force=args.force,
                              accept_short=args.accept_short_data)
    if code == rf.EXIT_REFRESHED:
        print(f"wrote the warehouse {paths.db} and the results {paths.results}", file=sys.stderr)
    return code


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """`blsu sensitivity`: the variants of the study's choices, beside the main results."""
    from blsu.sensitivity import VariantsError, run_sensitivity

    paths = Paths.from_env()
    try:
        return run_sensitivity(paths, _stats, variants_file=args.variants, only=args.only,
                               jobs_n=args.jobs, quiet=args.quiet)
    except VariantsError as exc:
        print(f"blsu sensitivity: {exc}", file=sys.stderr)
        return 2


SENSITIVITY_HELP = """How robust the headline findings are to the study's choices. Runs the
variants of sensitivity/variants.yml (other matching keys, 20 draws of the matched controls,
other windows and look-backs, each LVB source alone and left out, estimated profiles, the
disclosure rule's parameters): each variant with vars is a dbt build of this project into a
scratch warehouse of its own (the main build's vars with the variant's over them, the ingested
files reused), then the statistics of `blsu stats` on it. Writes results/sensitivity.csv (every
headline number and significance statement per variant, with whether it holds: same direction,
same significance band, inside the main interval), a forest plot per headline measure and a
section of report.html, all through disclosure control, and swaps them in with the results.
The warehouse and results must be current (`blsu run`, `blsu refresh` or `blsu stats` first);
neither is changed but for that swap. See docs/sensitivity.md.

exit codes:
  0   every variant ran; the results hold the sensitivity outputs
  1   a variant failed (each is named with dbt's last lines; the others still ran, and what
      they found is in <results>.sensitivity-partial/), or the warehouse or results are not
      current; the warehouse and results are unchanged
  2   a variants file or an --only that cannot be used
  75  locked: another command writes the warehouse; try again later
"""


REFRESH_HELP = """Load what landed in $BLSU_RAW_DIR and rebuild only what it affects, then the
statistics and the report. A new year of OMZAKEN or SLOAANG is added, a higher version of a year
replaces that year, unchanged years are not read. Works on copies of the warehouse and the
results and swaps them in only on success. Prints one summary line.

exit codes:
  0   refreshed
  3   nothing new (raw extracts and vars unchanged since the last refresh)
  1   failed: bad input or a failed build; warehouse and results are unchanged
  75  locked: another build, refresh, run or stats writes the warehouse, or another
      process has it open for writing; try again later
"""


def _build_options(build: argparse.ArgumentParser) -> None:
    build.add_argument("--quiet", action="store_true", help="print dbt's log only on failure")
    build.add_argument("--verbose", action="store_true", help="dbt's full log, not the progress")
    build.add_argument(OVERRIDE_FLAG, action="store_true", help=ACCEPT_HELP)
    build.add_argument(
        "--vars", help="dbt vars as YAML, e.g. '{victim_window_end: \"2024-12-31\"}'"
    )
    build.add_argument(
        "--target",
        help="target of profiles/profiles.yml (default: dev, DuckDB); `spark` builds on a local "
        "Spark session and copies the marts into $BLSU_DB (docs/engines.md)",
    )
    build.add_argument(
        "dbt_args",
        nargs=argparse.REMAINDER,
        help="extra arguments for dbt build after `--`, e.g. -- --vars '{...}'",
    )


def _spark_trajectories_options(spark_traj: argparse.ArgumentParser) -> None:
    spark_traj.add_argument("--vars", help="the dbt vars of the build, as YAML")
    spark_traj.add_argument("--target", default="spark",
                            help="the Spark target of profiles/profiles.yml (default spark)")


def _run_options(run: argparse.ArgumentParser) -> None:
    from blsu_synth.cli import DEFAULT_SEED

    run.add_argument("--size", default="default", help="generator size when no extracts exist")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    run.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of figures")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    run.add_argument("--verbose", action="store_true", help="dbt's full log, not the progress")
    run.add_argument(OVERRIDE_FLAG, action="store_true", help=ACCEPT_HELP)


def _sensitivity_options(sensitivity: argparse.ArgumentParser) -> None:
    from blsu.sensitivity import VARIANTS_FILE

    sensitivity.add_argument(
        "--variants", type=cli_path, default=VARIANTS_FILE,
        help=f"the variants file (default: the project's "
        f"{VARIANTS_FILE.relative_to(VARIANTS_FILE.parents[1])})")
    sensitivity.add_argument(
        "--only", action="append", default=[], metavar="NAME",
        help="run only this variant, or every variant of this family (e.g. matching_seed); "
        "repeat it or give a comma list")
    sensitivity.add_argument("--jobs", type=int, default=None, metavar="N",
                             help="variants built at once (default: the number of cores)")
    sensitivity.add_argument("--quiet", action="store_true",
                             help="no progress lines, only errors and the last line")


def _refresh_options(refresh: argparse.ArgumentParser) -> None:
    refresh.add_argument(
        "--force", action="store_true", help="rebuild every model even when nothing changed"
    )
    refresh.add_argument(
        "--vars",
        help="dbt vars as YAML, e.g. '{victim_window_end: \"2024-12-31\"}'; pass the same "
        "vars on every run (a change of vars rebuilds every model)",
    )
    refresh.add_argument("--verbose", action="store_true",
                         help="dbt's full log, not the progress")
    refresh.add_argument(OVERRIDE_FLAG, action="store_true", help=ACCEPT_HELP)


BUILD = Command("build", _build_options, epilog=ENV_HELP, as_written=True)
SPARK_TRAJECTORIES = Command(
    "spark-trajectories", _spark_trajectories_options,
    description="Fit the trajectory model on int_offender_age_counts as the last "
    "`dbt build --target spark --select +int_offender_age_counts` built it in the Spark "
    "warehouse ($BLSU_SPARK_WAREHOUSE), with the code and settings of the DuckDB build's "
    "Python models, and write the estimates the Spark models read; then run `dbt build "
    "--target spark --exclude +int_offender_age_counts --indirect-selection cautious` with "
    "the same --vars "
    "(docs/engines.md).",
    epilog=ENV_HELP, as_written=True)
def _no_options(parser: argparse.ArgumentParser) -> None:
    """A command without options of its own."""


INGEST = Command(
    "ingest", _no_options,
    description="Take inventory of $BLSU_RAW_DIR, resolve the highest version per year, "
    "check every used file against the raw-extract contract and make it available as "
    "canonical Parquet in $BLSU_INGEST_DIR (default <BLSU_DB>.ingest): .csv and .sav "
    "files are converted in chunks, canonical Parquet is hard-linked. Files ingested "
    "before with the same size and modification time are not read again.",
    epilog=ENV_HELP, as_written=True)
RUN = Command("run", _run_options, epilog=ENV_HELP, as_written=True)
SENSITIVITY = Command("sensitivity", _sensitivity_options, description=SENSITIVITY_HELP,
                      epilog=ENV_HELP, as_written=True)
REFRESH = Command(
    "refresh", _refresh_options, description=REFRESH_HELP,
    epilog=ENV_HELP + "\nSee docs/refresh.md (cron and systemd examples).\n", as_written=True)

#: The commands that build, swap and refresh, declared and run here.
OWN: dict[str, tuple[Command, Run]] = {
    command.name: (command, run) for command, run in (
        (BUILD, cmd_build), (SPARK_TRAJECTORIES, cmd_spark_trajectories), (INGEST, cmd_ingest),
        (RUN, cmd_run), (SENSITIVITY, cmd_sensitivity), (REFRESH, cmd_refresh))
}

#: Every command in the order `blsu --help` lists them, with its line there.
COMMANDS: dict[str, str] = {
    "generate": "write synthetic raw extracts in the CBS layout",
    "stats": "tests, effect sizes, figures and the report, swapped in when complete",
    "sql": "SQL prompt on the warehouse, or one query to a table, CSV or Parquet",
    "docs": "the dbt docs site (models, columns, lineage) as one HTML file",
    "check-output": "check a folder of CSV tables against the disclosure rule",
    "trajectories": "group-based trajectory models (`trajectories fit --help`)",
    "build": "dbt build of the warehouse, swapped in only on success",
    "spark-trajectories": "the trajectory model of a Spark build made with dbt itself "
    "(`blsu build --target spark` runs it)",
    "ingest": "inventory, validate and convert the raw extracts to canonical Parquet (also run "
    "by build, run and refresh)",
    "run": "the main job: generate (when no extracts exist), build, statistics, figures and "
    "report",
    "sensitivity": "how the headline findings move with the study's choices (variants built in "
    "parallel, sensitivity.csv, forest plots, a report section)",
    "refresh": "for schedulers: rebuild when raw files landed or changed, then statistics",
}


def declared(name: str) -> tuple[Command, Run]:
    """A command's declaration and the function that runs it, from the module that holds them."""
    match name:
        case "generate":
            from blsu_synth import cli as generate

            return generate.COMMAND, generate.run
        case "stats":
            from python_stats import cli as stats

            return stats.COMMAND, cmd_stats
        case "sql":
            from blsu import sql

            return sql.COMMAND, sql.run
        case "docs":
            from blsu import docs

            return docs.COMMAND, docs.run
        case "check-output":
            from python_stats import output_check

            return output_check.COMMAND, output_check.run
        case "trajectories":
            from gbtm import cli as trajectories

            return trajectories.COMMAND, trajectories.run
        case _:
            return OWN[name]


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """The `blsu` parser: every command with its line of help, and the options of the one
    `selected` (the command run or asked about; none when None). Only that command's module
    is imported, so that `blsu --help` or `blsu sql` does not load what other commands need."""
    parser = Parser(
        prog="blsu",
        description="BL-SU warehouse: LVB and victimisation of offenders of domestic sexual "
        "exploitation, reproduced from CBS-layout microdata.",
        epilog=ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, line in COMMANDS.items():
        if name != selected:
            sub.add_parser(name, help=line)
            continue
        command, run = declared(name)
        options = sub.add_parser(name, help=line, **command.parser_options())
        command.add_arguments(options)
        options.set_defaults(func=run)
    return parser


def _dispatch(argv: list[str]) -> int:
    parser = build_parser(argv[0] if argv else None)
    prog = f"blsu {argv[0]}" if argv and not argv[0].startswith("-") else "blsu"
    try:
        args = parse(parser, argv, prog)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    args.argv = argv[1:]
    if getattr(args, "dbt_args", None) and args.dbt_args[0] == "--":
        args.dbt_args = args.dbt_args[1:]
    return args.func(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; errors are one clear message (a traceback only with --debug)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--debug":
        argv = argv[1:]
        os.environ["BLSU_DEBUG"] = "1"  # dbt's output keeps its tracebacks too
    command = f"blsu {argv[0]}" if argv and not argv[0].startswith("-") else "blsu"
    return reporting_errors(command, lambda: _known_errors(command, argv))


def _known_errors(command: str, argv: list[str]) -> int:
    """The command's run, with the errors it foresees told in one message."""
    try:
        return _dispatch(argv)
    except LockedError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except WarehouseLockedError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except (BuildError, RawExtractError, PathError, VarsError) as exc:
        if debugging():
            traceback.print_exc()
        print(f"{command}: failed, warehouse and results unchanged: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
