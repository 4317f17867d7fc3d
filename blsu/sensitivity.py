"""`blsu sensitivity`: how robust the headline findings are to the study's choices.

The variants live in one file (sensitivity/variants.yml, `load_variants`). Under the warehouse
lock, for the warehouse and the results as they are (both must be current: the raw files, the
code and the vars unchanged since the build), each variant with vars is a `dbt build` of this
project with the main build's vars and its own over them, into a warehouse of its own in this
run's scratch folder beside the warehouse, reading the main warehouse's ingested files (the
ingestion runs once, before the variants) and with a dbt target folder of its own; up to
`--jobs` variants build at once. The statistics of `blsu stats` run on each variant's warehouse
(python_stats.sensitivity.findings) and the warehouse is removed. A variant with only stats
options computes on the main warehouse.

When every variant ran, sensitivity.csv and sensitivity.json are put into the results, which
the statistics recompute in a scratch folder with the options they had (so that the report gets
its section and the output check covers the new table) and swap in (blsu.jobs). When a variant
fails (an unknown var, a failing model or test), the others still run, the results are left as
they were, what ran is written to `<results>.sensitivity-partial/` with a row per failed
variant, and the command exits 1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from blsu import jobs
from blsu.dbt_runner import (
    SCRATCH_NAME,
    BuildError,
    check_unlocked,
    dbt_command,
    dbt_env,
    scratch_dir,
    without_tracebacks,
)
from blsu.lock import warehouse_lock
from blsu_core.paths import PROJECT_ROOT, Paths
from blsu_core.project import default_vars
from blsu_core.record import (
    WarehouseRecord,
    make_record,
    read_record,
    results_digest,
    vars_argument,
)

VARIANTS_FILE = PROJECT_ROOT / "sensitivity" / "variants.yml"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
ENTRY_KEYS = {"name", "family", "description", "vars", "stats", "seeds", "var"}
STATS_KEYS = {"round_base", "min_cell"}
DEFAULT_DRAW_VAR = "matching_seed"
#: dbt vars that the statistics read from dbt_project.yml, never from a build
STATS_VAR_PREFIX = "dc_"
PARTIAL_SUFFIX = ".sensitivity-partial"
#: what a variant's build leaves out: unit tests check the models' logic on fixed rows, which
#: a var of a variant does not change (the main build ran them; blsu.refresh does the same)
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test", "--no-partial-parse")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIMESTAMP = re.compile(r"^\d\d:\d\d:\d\d(?:  |\s*$)")  # dbt's time, not the indentation
NODE_ERROR = re.compile(
    r"(Failure in test|Database Error in model|Runtime Error in model|Compilation Error in "
    r"(?:model|test|macro)|Error in model|Error in test) ([\w.]+)")
ERROR_LINES = 8
TRAJECTORY_NODES = "model.blsu.int_trajectory_"
SPILL_VARIABLE = "BLSU_DUCKDB_TEMP_DIRECTORY"  # profiles/profiles.yml

StatsRunner = Callable[[list[str]], int]


class VariantsError(ValueError):
    """A variants file that cannot be used; the message names the file and the entry."""


class VariantError(RuntimeError):
    """A variant that did not build or compute: `reason` in words (no numbers, for the table),
    `detail` the last lines of dbt's output (for the terminal)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


# --- the variants file ---------------------------------------------------------------------------

def load_variants(path: Path = VARIANTS_FILE) -> list[Any]:
    """The variants of a file, draws expanded, in file order; an error names file and entry."""
    from python_stats.sensitivity import MAIN, VariantSpec

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VariantsError(f"{path}: cannot be read: {exc}") from exc
    entries = data.get("variants") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise VariantsError(f"{path}: expected a list `variants:` of entries")
    out: list[VariantSpec] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict):
            raise VariantsError(f"{where}: expected a mapping with name, description, ...")
        where += f" ({entry.get('name', '?')})"
        out += expand(entry, where, VariantSpec)
    seen: set[str] = set()
    for spec in out:
        if spec.name in seen or spec.name == MAIN:
            raise VariantsError(f"{path}: variant name {spec.name} is used twice (or is "
                                f"`{MAIN}`, the main specification)")
        seen.add(spec.name)
    clash = seen & {spec.family for spec in out}
    if clash:
        raise VariantsError(f"{path}: {', '.join(sorted(clash))} is the name of a variant and of "
                            "a family; give them different names")
    return out


def expand(entry: dict[str, Any], where: str, spec_type: type) -> list[Any]:
    """One entry as its variants (a family of draws as one per seed)."""
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise VariantsError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} "
                            f"(fields: {', '.join(sorted(ENTRY_KEYS))})")
    name, description = entry.get("name"), entry.get("description")
    if not isinstance(name, str) or not NAME.match(name):
        raise VariantsError(f"{where}: name must be lower-case letters, digits and _")
    if not isinstance(description, str) or not description.strip():
        raise VariantsError(f"{where}: description (one sentence: what it changes) is missing")
    dbt_vars, stats = entry.get("vars") or {}, entry.get("stats") or {}
    if not isinstance(dbt_vars, dict) or not isinstance(stats, dict):
        raise VariantsError(f"{where}: vars and stats must be mappings")
    check_stats(stats, where)
    for var in dbt_vars:
        if str(var).startswith(STATS_VAR_PREFIX):
            raise VariantsError(
                f"{where}: var {var} is read by the statistics from dbt_project.yml, not by a "
                f"build; give the disclosure rule as stats: {{{', '.join(sorted(STATS_KEYS))}}}")
    if "seeds" in entry:
        seeds, var = entry["seeds"], entry.get("var", DEFAULT_DRAW_VAR)
        if not isinstance(seeds, list) or not seeds or not all(
                isinstance(s, int) and not isinstance(s, bool) for s in seeds):
            raise VariantsError(f"{where}: seeds must be a list of whole numbers")
        if len(set(seeds)) != len(seeds):
            raise VariantsError(f"{where}: a seed is listed twice")
        return [spec_type(name=f"{name}_{seed}", family=name,
                          description=f"{description.strip().rstrip('.')} ({var} {seed}).",
                          vars={**dbt_vars, var: seed}, draw=True, **stats)
                for seed in seeds]
    if "var" in entry:
        raise VariantsError(f"{where}: var names the var of `seeds`, which is missing")
    family = entry.get("family")
    if not isinstance(family, str) or not NAME.match(family):
        raise VariantsError(f"{where}: family must be lower-case letters, digits and _")
    if not dbt_vars and not stats:
        raise VariantsError(f"{where}: a variant changes vars or stats (or both)")
    return [spec_type(name=name, family=family, description=description.strip(),
                      vars=dict(dbt_vars), **stats)]


def check_stats(stats: dict[str, Any], where: str) -> None:
    unknown = set(stats) - STATS_KEYS
    if unknown:
        raise VariantsError(f"{where}: unknown stats option(s) {', '.join(sorted(unknown))} "
                            f"(options: {', '.join(sorted(STATS_KEYS))})")
    for key, value in stats.items():
        low = 1 if key == "round_base" else 0
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise VariantsError(f"{where}: stats {key} must be a whole number of at least {low}")


def select(variants: list[Any], only: Iterable[str]) -> list[Any]:
    """The variants `--only` names (a variant or a family), in file order; all without it."""
    wanted = [n.strip() for item in only for n in item.split(",") if n.strip()]
    if not wanted:
        return variants
    known = {v.name for v in variants} | {v.family for v in variants}
    missing = [n for n in wanted if n not in known]
    if missing:
        raise VariantsError(f"--only: no variant or family {', '.join(missing)} (variants: "
                            f"{', '.join(v.name for v in variants if not v.draw)}; families: "
                            f"{', '.join(dict.fromkeys(v.family for v in variants))})")
    return [v for v in variants if v.name in wanted or v.family in wanted]


def known_vars(root: Path = PROJECT_ROOT) -> set[str]:
    """The vars of dbt_project.yml and every var the project's SQL and YAML read (some are read
    with a default and not declared)."""
    found = set(default_vars())
    pattern = re.compile(r"""\bvar\(\s*['"](\w+)['"]""")
    for folder in ("models", "macros", "tests/dbt", "analysis"):
        for path in (root / folder).rglob("*"):
            if path.suffix in (".sql", ".yml", ".yaml", ".py"):
                found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


# --- one variant ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """What every variant of one run shares."""

    paths: Paths
    folder: Path  # this run's scratch folder
    main_vars: dict[str, Any]
    rules: Any  # python_stats.disclosure.DisclosureRules of the main results
    seed: int
    known: frozenset[str]


class Children:
    """The dbt processes running, so that an interrupted run can end them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: set[subprocess.Popen[bytes]] = set()
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            for proc in self.running:
                proc.terminate()


def run_variant(spec: Any, setting: Setting, children: Children) -> Any:
    """Build the variant (when it has vars), compute its findings, remove its warehouse."""
    from python_stats.marts import MartError
    from python_stats.sensitivity import Outcome, findings

    start = time.perf_counter()
    unknown = sorted(set(spec.vars) - setting.known)
    if unknown:
        return Outcome(spec, failure=f"unknown var {', '.join(unknown)}: dbt_project.yml "
                       "declares no such var and no model reads it", seconds=0.0)
    folder = setting.folder / spec.name
    try:
        db = build_variant(spec, setting, folder, children) if spec.vars else setting.paths.db
        if children.stopping.is_set():
            raise VariantError("interrupted")
        found = findings(db, spec.rules(setting.rules), setting.seed)
        model = trajectory_seconds(folder / "target" / "run_results.json")
    except VariantError as exc:
        return Outcome(spec, failure=exc.reason, seconds=time.perf_counter() - start,
                       detail=exc.detail)
    except (MartError, ValueError) as exc:
        return Outcome(spec, failure=f"the statistics failed: {exc}",
                       seconds=time.perf_counter() - start)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Outcome(spec, found, seconds=time.perf_counter() - start, model_seconds=model)


def trajectory_seconds(run_results: Path) -> float:
    """The seconds dbt spent on the trajectory model's nodes (0 without a build)."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    except (OSError, ValueError):
        return 0.0
    return sum(float(r.get("execution_time") or 0.0) for r in results
               if str(r.get("unique_id", "")).startswith(TRAJECTORY_NODES))


def build_variant(spec: Any, setting: Setting, folder: Path, children: Children) -> Path:
    """`dbt build` of the project with the variant's vars over the main build's, into a
    warehouse of its own that reads the main warehouse's ingested files."""
    folder.mkdir(parents=True)
    paths = Paths(raw_dir=setting.paths.raw_dir, db=folder / SCRATCH_NAME,
                  results=folder / "results", ingest_dir=setting.paths.ingested)
    dbt_vars = {**setting.main_vars, **spec.vars}
    args = [*BUILD_ARGS, *vars_argument(dbt_vars), "--log-path", str(folder / "logs")]
    log = folder / "dbt.out"
    with log.open("wb") as out:
        with children.lock:
            if children.stopping.is_set():
                raise VariantError("interrupted")
            proc = subprocess.Popen(dbt_command(args, folder / "target"), cwd=PROJECT_ROOT,
                                    env=variant_env(paths), stdout=out,
                                    stderr=subprocess.STDOUT)
            children.running.add(proc)
        code = proc.wait()
        with children.lock:
            children.running.discard(proc)
    if code != 0:
        raise VariantError(*failure_of(log.read_text(encoding="utf-8", errors="replace")))
    return paths.db


def variant_env(paths: Paths) -> dict[str, str]:
    """dbt's environment for a variant: DuckDB spills into the variant's own folder (variants
    build at once; their spill files must not meet in one folder)."""
    env = dbt_env(paths)
    env[SPILL_VARIABLE] = str(paths.db.with_name(paths.db.name + ".tmp"))
    return env


def failure_of(output: str) -> tuple[str, str]:
    """(the reason in words: the failing node, no numbers; the last lines of dbt's error)."""
    lines = [TIMESTAMP.sub("", ANSI.sub("", line)).rstrip() for line in output.splitlines()]
    lines = list(without_tracebacks(iter(line + "\n" for line in lines)))
    text = [line.rstrip("\n") for line in lines
            if line.strip() and not line.strip().startswith("compiled code at")]
    start = next((i for i, line in enumerate(text) if line.startswith("Completed with")), None)
    if start is not None:
        detail = [line for line in text[start + 1:] if not line.startswith("Done.")]
    else:
        detail = [line for line in text if not line.startswith(("Running with", "Registered",
                                                                "Unable to do partial"))]
    detail = detail[:ERROR_LINES] if start is not None else detail[-ERROR_LINES:]
    node = next((m for line in text if (m := NODE_ERROR.search(line))), None)
    reason = (f"dbt build failed: {node.group(1).lower()} {node.group(2)}" if node
              else "dbt build failed")
    return reason, "\n".join(detail)


# --- the run ------------------------------------------------------------------------------------

def check_current(paths: Paths) -> tuple[WarehouseRecord, dict[str, Any]]:
    """The warehouse's record and the options of its results; an error unless the warehouse
    is current (the raw files, the code and the vars it records are those of now) and the
    results are its own."""
    if not paths.db.exists():
        raise BuildError(f"no warehouse at {paths.db}: run `blsu run` or `blsu build` first")
    check_unlocked(paths.db)
    record = read_record(paths.db)
    if record is None:
        raise BuildError(f"the warehouse {paths.db} has no record of what it was built from "
                         "(built with dbt itself?): run `blsu build` first")
    now = make_record(paths.raw_dir, jobs.current_entries(paths.raw_dir), record.vars)
    if now.digest != record.digest:
        what = ("the project's code" if now.code_version != record.code_version
                else "the raw files" if now.inputs != record.inputs else "the raw folder")
        raise BuildError(f"{what} changed since the warehouse {paths.db} was built, so the "
                         "variants would not compare with it: run `blsu refresh` (or `blsu "
                         "build`) first")
    if results_digest(paths.results) != record.digest:
        raise BuildError(f"the results {paths.results} are not those of the warehouse: run "
                         "`blsu stats` first")
    try:
        options = json.loads((paths.results / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"the results {paths.results} lack a readable summary.json: run "
                         "`blsu stats` first") from exc
    return record, options


def say(line: str, quiet: bool) -> None:
    if not quiet:
        print(line, file=sys.stderr, flush=True)


def clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


@dataclass
class Progress:
    """`variant x of y: NAME (s); elapsed, expected remaining`, one line per variant."""

    total: int
    quiet: bool
    start: float = 0.0
    done: int = 0

    def __post_init__(self) -> None:
        self.start = time.perf_counter()

    def finished(self, outcome: Any) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        left = elapsed / self.done * (self.total - self.done)
        state = "" if outcome.found is not None else f" FAILED: {outcome.failure}"
        model = (f", trajectory model {outcome.model_seconds:.1f} s"
                 if outcome.model_seconds else "")
        say(f"variant {self.done} of {self.total}: {outcome.spec.name} "
            f"({outcome.seconds:.1f} s{model}){state}; {clock(elapsed)} elapsed, about "
            f"{clock(left)} remaining", self.quiet)


def run_all(variants: list[Any], setting: Setting, jobs_n: int, quiet: bool) -> list[Any]:
    """Every variant, up to `jobs_n` at once; the outcomes in file order."""
    children = Children()
    progress = Progress(len(variants), quiet)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs_n), thread_name_prefix="variant")
    futures: dict[Future[Any], int] = {}
    outcomes: list[Any] = [None] * len(variants)
    try:
        for i, spec in enumerate(variants):
            futures[pool.submit(run_variant, spec, setting, children)] = i
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[futures[future]] = outcome
            progress.finished(outcome)
    except BaseException:
        children.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return outcomes


def run_sensitivity(
    paths: Paths, stats: StatsRunner, *, variants_file: Path = VARIANTS_FILE,
    only: Iterable[str] = (), jobs_n: int | None = None, quiet: bool = False,
) -> int:
    """The command under the warehouse lock; 0 when every variant ran and the results were
    swapped in, 1 when a variant failed (results unchanged)."""
    variants = load_variants(variants_file)
    chosen = select(variants, only)
    with warehouse_lock(paths.db, "blsu sensitivity"):
        jobs.prepare(paths, "sensitivity")
        record, options = check_current(paths)
        from blsu_ingest.ingest import ingest

        ingest(paths.raw_dir, paths.ingested)
        folder = scratch_dir(paths.db)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        try:
            return compute(paths, stats, record, options, variants, chosen, folder,
                           jobs_n or os.cpu_count() or 1, quiet, bool(list(only)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def compute(paths: Paths, stats: StatsRunner, record: WarehouseRecord, options: dict[str, Any],
            variants: list[Any], chosen: list[Any], folder: Path, jobs_n: int, quiet: bool,
            subset: bool) -> int:
    """The variants, the table, and the results swapped in (or the partial table written)."""
    from python_stats.disclosure import DisclosureRules
    from python_stats.sensitivity import Stamp, findings, sensitivity_table

    rules = DisclosureRules.from_project(int(options["round_base"]), int(options["min_cell"]))
    seed = int(options["seed"])
    setting = Setting(paths, folder, dict(record.vars), rules, seed, frozenset(known_vars()))
    say(f"blsu sensitivity: {len(chosen)} variants of {paths.db}, {jobs_n} at a time", quiet)
    main = findings(paths.db, rules, seed)
    outcomes = run_all(chosen, setting, jobs_n, quiet)
    table = sensitivity_table(main, outcomes, rules)
    stamp = Stamp(record.digest, rules.round_base, rules.min_cell, seed)
    selection = [v.name for v in chosen] if subset else None
    failed = [o for o in outcomes if o.found is None]
    partial = paths.results.with_name(paths.results.name + PARTIAL_SUFFIX)
    if failed:
        written = write_outputs(table, stamp, outcomes, len(variants), selection, partial, rules)
        report_failures(failed, written)
        return 1
    staged = write_outputs(table, stamp, outcomes, len(variants), selection,
                           folder / "sensitivity", rules)
    lang = str(options.get("lang", "nl"))

    def runner(argv: list[str]) -> int:
        return stats([*argv, "--lang", lang, "--round-base", str(rules.round_base),
                      "--min-cell", str(rules.min_cell), "--seed", str(seed)])

    results = jobs.stats_scratch(runner, paths.db, paths.results, record, True,
                                 carry_from=staged)
    try:
        check_results(results, rules, paths.db)
    except BaseException:
        jobs.discard(None, results)
        raise
    jobs.commit(paths, None, results)
    shutil.rmtree(partial, ignore_errors=True)
    print(f"sensitivity of {len(outcomes)} variants written to {paths.results / 'sensitivity.csv'}"
          f" (report: {paths.results / 'report.html'})")
    return 0


def write_outputs(table: Any, stamp: Any, outcomes: list[Any], declared: int,
                  selection: list[str] | None, folder: Path, rules: Any) -> Path:
    """sensitivity.csv (through the results writer's disclosure check) and sensitivity.json
    into a fresh folder, checked by the output check."""
    from python_stats.export import ResultsWriter
    from python_stats.sensitivity import CSV_NAME, write_json

    shutil.rmtree(folder, ignore_errors=True)
    ResultsWriter(folder, rules).table(table, CSV_NAME)
    write_json(folder, stamp, outcomes, declared, selection)
    check_results(folder, rules)
    return folder


def check_results(folder: Path, rules: Any, warehouse: Path | None = None) -> None:
    """The output check of every table in a folder, its magnitudes against the person-level
    marts of `warehouse` when given; an error naming the findings."""
    from python_stats.output_check import check_folder, findings, lines, person_data

    verdicts = check_folder(folder, rules, person_data(warehouse))
    if findings(verdicts):
        raise BuildError("the output check refuses the sensitivity results: "
                         + "; ".join(lines(verdicts)))


def report_failures(failed: list[Any], partial: Path) -> None:
    """Each failed variant with the reason and dbt's last lines, then where the rest went."""
    for outcome in failed:
        print(f"blsu sensitivity: variant {outcome.spec.name} failed: {outcome.failure}",
              file=sys.stderr)
        for line in outcome.detail.splitlines():
            print(f"    {line}", file=sys.stderr)
    print(f"blsu sensitivity: {len(failed)} variant(s) failed; the results are unchanged; what "
          f"ran is in {partial / 'sensitivity.csv'}", file=sys.stderr)
