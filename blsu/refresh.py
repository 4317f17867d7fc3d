"""Scheduled refresh: load what landed, rebuild only what it affects, redo the statistics.

The warehouse itself is the record of what was loaded: its record (`blsu.record`: the raw
folder, every file's signature, the vars, the code version) and its file inventory
(raw.raw_file_inventory) are compared with the raw folder, so nothing is re-read to find out
that nothing changed, and the results' record is compared with the warehouse's, so results that
were never swapped in are recomputed. Every refresh works on copies (the warehouse copied into
this run's scratch folder, the results written into another) and swaps both in together only
when dbt, the checks and the statistics succeeded, so a failed refresh leaves the warehouse and
the results as they were.

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
from blsu.loader.datasets import DATASETS
from blsu.loader.incremental import HeldFile, LoadPlan, YearChange, plan_load
from blsu.loader.inventory import FileEntry, RawExtractError, find_dataset_folder
from blsu.loader.readers import check_required_columns, read_columns
from blsu.lock import EXIT_LOCKED, LockedError, warehouse_lock
from blsu.paths import PathError, Paths
from blsu.record import (
    VarsError,
    WarehouseRecord,
    normalise_vars,
    query_file,
    read_record,
    results_digest,
)

EXIT_REFRESHED = 0
EXIT_FAILED = 1
EXIT_NOTHING_NEW = 3
INVENTORY_SOURCE = "raw_file_inventory"
STALE_FINDING = "years missing after the newest police file"

@dataclass(frozen=True)
class InventoryRow:
    """One file as the warehouse's inventory recorded it at the last build."""

    dataset: str
    file_name: str
    year: int | None
    version: int | None
    status: str
    signature: str


@dataclass
class RefreshPlan:
    """What a refresh will do: per dataset the years to load, and inventory-only changes."""

    full: bool
    reason: str = ""
    loads: list[LoadPlan] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[YearChange]:
        return [change for load in self.loads for change in load.changes]

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


def held_inventory(db: Path) -> list[InventoryRow] | None:
    """The file inventory stored in the warehouse; None when there is no (usable) warehouse."""
    rows = query_file(
        db,
        "select dataset, file_name, file_year, file_version, status, file_signature "
        "from raw.raw_file_inventory",
    )
    return None if rows is None else [InventoryRow(*row) for row in rows]


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


def _other_file_changes(entries: dict[str, list[FileEntry]], held: list[InventoryRow]) -> list[str]:
    """Changes to files that are not used (superseded, unrecognised, unknown folders).

    A file that was used and is now superseded is described by the change that replaced it.
    """
    now = {
        (e.dataset, e.file_name): (e.status, e.signature)
        for files in entries.values()
        for e in files
        if e.status != "used"
    }
    before = {(r.dataset, r.file_name): (r.status, r.signature) for r in held if r.status != "used"}
    was_used = {(r.dataset, r.file_name) for r in held if r.status == "used"}
    notes = []
    for key in sorted((set(now) | set(before)) - was_used):
        if now.get(key) != before.get(key):
            state = now[key][0] if key in now else "removed"
            notes.append(f"{key[0]} {key[1]} {state}")
    return notes


def plan_refresh(paths: Paths, entries: dict[str, list[FileEntry]] | None = None) -> RefreshPlan:
    """Compare the raw folder with the warehouse's inventory; raise on input a load would reject.

    Raises RawExtractError for a missing dataset folder, two files of the same year and version,
    a year of a yearly dataset that the warehouse holds but the folder lost, or a file to load
    whose header is unreadable or lacks a required column (only headers are read here).
    """
    entries = entries if entries is not None else jobs.current_entries(paths.raw_dir)
    warnings = input_warnings(entries)
    held = held_inventory(paths.db)
    if held is None:
        reason = "no warehouse yet" if not paths.db.exists() else "warehouse without inventory"
        return RefreshPlan(full=True, reason=reason, warnings=warnings)
    loads = []
    for name, spec in DATASETS.items():
        held_files = [
            HeldFile(r.year, r.file_name, r.version, r.signature or "")
            for r in held
            if r.dataset == name and r.status == "used"
        ]
        folder = find_dataset_folder(paths.raw_dir, name)
        load = plan_load(spec, entries[name], held_files, folder)
        if load.changes:
            loads.append(load)
            for change in load.changes:
                check_required_columns(change.new.path, read_columns(change.new.path), spec)
    return RefreshPlan(
        full=False, loads=loads, other_files=_other_file_changes(entries, held), warnings=warnings
    )


def stale_police_years(db: Path) -> str | None:
    """The freshness finding of the warehouse's dq_findings, when police years are missing.

    The rule (the reference date and the police delay) lives in marts.dq_findings only.
    """
    rows = query_file(
        db,
        "select finding, n_records from marts.dq_findings "
        "where dataset = 'SLOAANG' and starts_with(finding, ?)",
        [STALE_FINDING],
    )
    if not rows or not rows[0][1]:
        return None
    return f"SLOAANG is stale: {rows[0][1]} {rows[0][0]} (marts.dq_findings)"


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
    paths: Paths, record: WarehouseRecord | None, current: WarehouseRecord, force: bool
) -> tuple[RefreshPlan, bool]:
    """The plan and whether every model is rebuilt, from the warehouse's record."""
    if record is None:
        reason = "no warehouse yet" if not paths.db.exists() else "warehouse without a record"
        return RefreshPlan(full=True, reason=reason), True
    if record.code_version != current.code_version:
        return RefreshPlan(full=True, reason="the project's code changed"), True
    plan = plan_refresh(paths)
    everything = force
    if record.vars != current.vars:
        plan.other_files.append("vars changed: every model rebuilt")
        everything = True
    if record.raw_dir != current.raw_dir:
        # the warehouse reads the ingested files, never the raw folder: only the file inventory
        # (and the record) are renewed
        plan.other_files.append(f"raw folder moved from {record.raw_dir}")
    if not plan.changes and not plan.other_files and record.inputs != current.inputs:
        return RefreshPlan(full=True, reason="raw files differ from the warehouse's record"), True
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
        plan, everything = decide(paths, record, inputs.record, force)
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
