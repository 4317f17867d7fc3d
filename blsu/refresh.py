"""Scheduled refresh: load what landed, rebuild only what it affects, redo the statistics.

The warehouse itself is the record of what was loaded: its record (`blsu_core.record`: the raw
folder, the inventory of the files it was built from, the vars, the code version) is compared
with the raw folder by the ingestion's own change detector (`blsu_ingest.inventory.compare`), so
nothing is re-read to find out that nothing changed, and the results' record is compared with
the warehouse's, so results that were never swapped in are recomputed. Every refresh works on
copies (the warehouse copied into this run's scratch folder, the results written into another)
and swaps both in together only when dbt, the checks and the statistics succeeded, so a failed
refresh leaves the warehouse and the results as they were.

Exit codes for schedulers: 0 refreshed, 3 nothing new, 1 failed (bad input or a failed build;
the warehouse and the results are unchanged), 75 locked (another command writes the warehouse,
or another process holds it open for writing: try again later).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blsu import jobs
from blsu.dbt_runner import BuildError, WarehouseLockedError, build_scratch, check_unlocked
from blsu.dbt_runner import dbt_target as dbt_target
from blsu.lock import EXIT_LOCKED, LockedError, warehouse_lock
from blsu_core.datasets import DATASETS
from blsu_core.paths import PathError, Paths
from blsu_core.record import (
    VarsError,
    WarehouseRecord,
    input_rows,
    normalise_vars,
    query_file,
    read_record,
    results_digest,
)
from blsu_ingest.incremental import YearChange, plan_load
from blsu_ingest.ingest import baseline_of
from blsu_ingest.inventory import (
    FileEntry,
    FileState,
    RawExtractError,
    compare,
    find_dataset_folder,
)
from blsu_ingest.readers import check_required_columns, read_columns

EXIT_REFRESHED = 0
EXIT_FAILED = 1
EXIT_NOTHING_NEW = 3
INVENTORY_SOURCE = "raw_file_inventory"

@dataclass
class RefreshPlan:
    """What a refresh will do: the years to load, and changes of files that are not loaded."""

    full: bool
    reason: str = ""
    changes: list[YearChange] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return self.full or bool(self.changes or self.other_files)

    def selectors(self) -> list[str]:
        """dbt selectors of everything the changes affect (the changed sources and downstream)."""
        sources = sorted({DATASETS[c.dataset].source for c in self.changes})
        chosen = [f"source:cbs.{name}+" for name in sources]
        if self.changes or self.other_files:
            chosen.append(f"source:cbs.{INVENTORY_SOURCE}+")
        return chosen

    def describe(self) -> str:
        """E.g. `SLOAANG 2024 added, SLOAANG 2015 V2 replaces V1`."""
        if self.full:
            return f"full build ({self.reason})"
        parts = [change.describe() for change in self.changes]
        parts += self.other_files
        return ", ".join(parts) or "nothing changed"


def input_warnings(entries: dict[str, list[FileEntry]]) -> list[str]:
    """Warnings about files that are never loaded: unrecognised names, unknown folders."""
    warnings = []
    for name, files in entries.items():
        for entry in files:
            if entry.status == "unrecognised":
                warnings.append(
                    f"{entry.path}: name does not follow the {name} pattern; not loaded"
                )
            elif entry.status == "unknown_folder":
                warnings.append(
                    f"{entry.path}: folder {entry.path.parent.name} is no dataset of the "
                    "contract (misspelled?); not loaded"
                )
    return warnings


def other_file_note(dataset: str, found: FileState) -> str | None:
    """A change of a file that is not loaded (superseded, unrecognised, in an unknown folder).

    A file that is or was used is described by the year change that loads or replaces it.
    """
    if any(row is not None and row.status == "used" for row in (found.now, found.before)):
        return None
    if not found.differs:
        return None
    return f"{dataset} {found.file_name} {found.now.status if found.now else 'removed'}"


def plan_refresh(
    paths: Paths, record: WarehouseRecord, entries: dict[str, list[FileEntry]] | None = None
) -> RefreshPlan:
    """Compare the raw folder with the inventory the warehouse was built from (its record);
    raise on input a load would reject.

    The comparison is the ingestion's (`compare`), against the warehouse's baseline rather than
    the ingest folder's, which is ahead of the warehouse after a failed build. Raises
    RawExtractError for a missing dataset folder, two files of the same year and version, a
    year of a yearly dataset that the warehouse holds but the folder lost, or a file to load
    whose header is unreadable or lacks a required column (only headers are read here).
    """
    entries = entries if entries is not None else jobs.current_entries(paths.raw_dir)
    baseline = baseline_of(input_rows(record))
    changes, notes = [], []
    for name in sorted(set(entries) | {row.dataset for row in baseline}):
        states = compare(entries.get(name, []), [row for row in baseline if row.dataset == name])
        if name in DATASETS:
            spec = DATASETS[name]
            folder = find_dataset_folder(paths.raw_dir, name)
            for change in plan_load(spec, states, folder):
                check_required_columns(change.new.path, read_columns(change.new.path), spec)
                changes.append(change)
        notes += [note for found in states if (note := other_file_note(name, found))]
    order = list(DATASETS)
    changes.sort(key=lambda change: order.index(change.dataset))
    return RefreshPlan(
        full=False, changes=changes, other_files=notes, warnings=input_warnings(entries)
    )


def stale_police_years(db: Path) -> str | None:
    """The freshness finding of the warehouse, when police years are missing.

    The rule and its wording live in the model int_police_freshness only.
    """
    rows = query_file(
        db, "select n_missing_years, finding from intermediate.int_police_freshness"
    )
    if not rows or not rows[0][0]:
        return None
    return f"SLOAANG is stale: {rows[0][0]} {rows[0][1]} (marts.dq_findings)"


def models_rebuilt(target_path: Path) -> int:
    """Number of models dbt built successfully, from its run_results.json."""
    path = target_path / "run_results.json"
    if not path.exists():
        return 0
    results = json.loads(path.read_text()).get("results", [])
    return sum(
        1
        for result in results
        if result.get("unique_id", "").startswith("model.") and result.get("status") == "success"
    )


def append_log(paths: Paths, line: str) -> None:
    """Append one timestamped line to `<db>.refresh.log` (the refresh log)."""
    log = paths.db.with_name(paths.db.name + ".refresh.log")
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    try:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {line}\n")
    except OSError:
        pass  # the log is a convenience; a full disk is reported by the refresh itself


def dbt_args(plan: RefreshPlan, dbt_vars: dict[str, Any], everything: bool) -> list[str]:
    """`build` of what the changes affect; everything on a full build or when vars changed.

    Unit tests are left out: they check the models' logic on fixed rows, which new data cannot
    change, and they run in every `blsu build` and `dbt build`. The data tests of every rebuilt
    model run.
    """
    extra = ["--exclude-resource-type", "unit_test"]
    if not plan.full and not everything:
        extra += ["--select", *plan.selectors()]
    return jobs.dbt_build_args(dbt_vars, extra)


def _say(line: str) -> None:
    jobs.say("refresh", line)


def run_refresh(
    paths: Paths,
    stats: jobs.StatsRunner,
    *,
    vars_text: str | None = None,
    force: bool = False,
    accept_short: bool = False,
) -> int:
    """The refresh under the warehouse lock; returns the exit code and prints one summary line."""
    try:
        with warehouse_lock(paths.db, "blsu refresh"):
            jobs.prepare(paths, "refresh")
            return _refresh_locked(
                paths, stats, vars_text=vars_text, force=force, accept_short=accept_short
            )
    except LockedError as exc:
        _say(str(exc))
        return EXIT_LOCKED
    except PathError as exc:
        _say(str(exc))
        return EXIT_FAILED


def decide(
    paths: Paths, record: WarehouseRecord | None, inputs: jobs.Inputs, force: bool
) -> tuple[RefreshPlan, bool]:
    """The plan and whether every model is rebuilt, from the warehouse's record."""
    current = inputs.record
    if record is None:
        reason = "no warehouse yet" if not paths.db.exists() else "warehouse without a record"
        return RefreshPlan(full=True, reason=reason), True
    if record.code_version != current.code_version:
        return RefreshPlan(full=True, reason="the project's code changed"), True
    plan = plan_refresh(paths, record, inputs.entries)
    everything = force
    if record.vars != current.vars:
        plan.other_files.append("vars changed: every model rebuilt")
        everything = True
    if record.raw_dir != current.raw_dir:
        # the warehouse reads the ingested files, never the raw folder: only the file inventory
        # (and the record) are renewed
        plan.other_files.append(f"raw folder moved from {record.raw_dir}")
    return plan, everything


def _refresh_locked(
    paths: Paths, stats: jobs.StatsRunner, *, vars_text: str | None, force: bool,
    accept_short: bool,
) -> int:
    start = time.perf_counter()
    try:
        check_unlocked(paths.db)
        dbt_vars = normalise_vars(vars_text)
        record = read_record(paths.db)
        inputs = jobs.check_inputs(paths, dbt_vars, to_read=[], accept_short=accept_short)
        plan, everything = decide(paths, record, inputs, force)
        if plan.full:
            plan.warnings = input_warnings(inputs.entries)
        to_read = jobs.used(inputs.entries) if plan.full else [c.new for c in plan.changes]
        shortfalls = jobs.check_inputs(
            paths, dbt_vars, to_read=to_read, accept_short=accept_short
        ).shortfalls
    except WarehouseLockedError as exc:
        _say(str(exc))
        return EXIT_LOCKED
    except (BuildError, VarsError) as exc:
        _say(str(exc))
        return EXIT_FAILED
    except RawExtractError as exc:
        _say(f"failed, warehouse unchanged: {exc}")
        append_log(paths, f"failed: {str(exc).splitlines()[0]}")
        return EXIT_FAILED
    for warning in plan.warnings + [f"{s} (accepted)" for s in shortfalls]:
        _say(f"warning: {warning}")
    rebuild = plan.any or everything
    results_stale = record is None or results_digest(paths.results) != record.digest
    if not rebuild and not results_stale:
        print("nothing new: raw extracts, vars and results unchanged since the last build")
        return EXIT_NOTHING_NEW
    scratch = results = None
    n_models = 0
    try:
        if rebuild:
            target = dbt_target(paths.db)
            scratch = build_scratch(
                paths, dbt_args(plan, dbt_vars, everything), record=inputs.record,
                from_current=not plan.full, quiet=True, target_path=target,
            )
            n_models = models_rebuilt(target)
            what = plan.describe()
        else:
            what = "results recomputed (they did not match the warehouse)"
        results = jobs.stats_scratch(
            stats, scratch or paths.db, paths.results, inputs.record if rebuild else record, True
        )
        stale = stale_police_years(scratch or paths.db)
        jobs.commit(paths, scratch, results)
    except (BuildError, RawExtractError, PathError) as exc:
        jobs.discard(scratch, results)
        _say(f"failed, warehouse and results unchanged: {exc}")
        append_log(paths, f"failed: {str(exc).splitlines()[0]}")
        return EXIT_FAILED
    seconds = time.perf_counter() - start
    summary = f"refreshed: {what}; {n_models} models rebuilt in {seconds:.1f} s"
    if stale:
        summary += f"; warning: {stale}"
    append_log(paths, summary)
    print(summary)
    return EXIT_REFRESHED
