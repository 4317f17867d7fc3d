"""Scheduled refresh: load what landed, rebuild only what it affects, redo the statistics.

The warehouse itself is the record of what was loaded: its file inventory (raw.raw_file_inventory,
with each file's size and modification time) is compared with the raw folder, so nothing is
re-read to find out that nothing changed. Every refresh works on copies (the warehouse copied to
`<db>.building`, the results written to `<results>.building`) and swaps both in only when dbt
and the statistics succeeded, so a failed refresh leaves the warehouse and the results as they
were.

Exit codes for schedulers: 0 refreshed, 3 nothing new, 1 failed (bad input or a failed build;
the warehouse and the results are unchanged), 75 locked (another refresh runs, or another process
holds the warehouse open for writing: try again later).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from blsu.dbt_runner import (
    BuildError,
    WarehouseLockedError,
    build_scratch,
    check_unlocked,
    dbt_target,
    discard,
    scratch_file,
    swap_in,
)
from blsu.loader.datasets import DATASETS
from blsu.loader.incremental import HeldFile, LoadPlan, YearChange, plan_load
from blsu.loader.inventory import (
    FileEntry,
    RawExtractError,
    find_dataset_folder,
    inventory_dataset,
    unrecognised_folders,
)
from blsu.loader.readers import check_required_columns, folder_entries, read_columns
from blsu.paths import Paths

EXIT_REFRESHED = 0
EXIT_FAILED = 1
EXIT_NOTHING_NEW = 3
EXIT_LOCKED = 75
INVENTORY_SOURCE = "raw_file_inventory"
FRESHNESS_VAR = "police_expected_latest_year"
POLICE_DELAY_YEARS = 2


class RefreshLockedError(RuntimeError):
    """Another refresh of the same warehouse is running."""


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


def normalise_vars(text: str | None) -> dict[str, Any]:
    """The dbt `--vars` string as a dict (YAML, as dbt reads it); empty when not given."""
    if not text:
        return {}
    value = yaml.safe_load(text)
    if not isinstance(value, dict):
        raise BuildError(f"--vars must be a YAML mapping, e.g. '{{key: value}}'; got {text!r}")
    return value


def held_inventory(db: Path) -> list[InventoryRow] | None:
    """The file inventory stored in the warehouse; None when there is no (usable) warehouse."""
    if not db.exists():
        return None
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute(
            "select dataset, file_name, file_year, file_version, status, file_signature "
            "from raw.raw_file_inventory"
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return [InventoryRow(*row) for row in rows]


def current_entries(raw_dir: Path) -> dict[str, list[FileEntry]]:
    """The inventory of every dataset folder, plus files in folders that are no dataset."""
    entries = {name: inventory_dataset(raw_dir, spec) for name, spec in DATASETS.items()}
    for folder in unrecognised_folders(raw_dir, list(DATASETS)):
        entries[folder.name] = folder_entries(folder)
    return entries


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


def plan_refresh(paths: Paths) -> RefreshPlan:
    """Compare the raw folder with the warehouse's inventory; raise on input a load would reject.

    Raises RawExtractError for a missing dataset folder, two files of the same year and version,
    a year of a yearly dataset that the warehouse holds but the folder lost, or a file to load
    whose header is unreadable or lacks a required column (only headers are read here).
    """
    entries = current_entries(paths.raw_dir)
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


def expected_police_year(dbt_vars: dict[str, Any], today: dt.date | None = None) -> int:
    """The newest SLOAANG year a current warehouse should hold.

    Var `police_expected_latest_year`; by default the current year minus 2: police
    registrations of a year reach CBS Remote Access in the course of the year after next.
    """
    if FRESHNESS_VAR in dbt_vars:
        return int(dbt_vars[FRESHNESS_VAR])
    return (today or dt.date.today()).year - POLICE_DELAY_YEARS


def freshness_warning(raw_dir: Path, expected: int) -> str | None:
    """A warning when the newest used SLOAANG year is older than `expected`."""
    years = [
        e.year
        for e in inventory_dataset(raw_dir, DATASETS["SLOAANG"])
        if e.status == "used" and e.year is not None
    ]
    newest = max(years, default=None)
    if newest is not None and newest >= expected:
        return None
    return (
        f"SLOAANG is stale: newest year {newest}, expected {expected} ({FRESHNESS_VAR}; "
        "also in marts.dq_findings)"
    )


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


def state_file(paths: Paths) -> Path:
    return paths.db.with_name(paths.db.name + ".refresh.json")


def load_state(paths: Paths) -> dict[str, Any]:
    """What the last successful refresh recorded (vars, summary); empty without a warehouse."""
    path = state_file(paths)
    if not path.exists() or not paths.db.exists():
        return {}
    return json.loads(path.read_text())


def save_state(paths: Paths, state: dict[str, Any]) -> None:
    """Record the state atomically, after the warehouse and the results are in place."""
    path = state_file(paths)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)


def append_log(paths: Paths, line: str) -> None:
    """Append one timestamped line to `<db>.refresh.log` (the refresh log)."""
    log = paths.db.with_name(paths.db.name + ".refresh.log")
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"{stamp} {line}\n")


@contextmanager
def refresh_lock(paths: Paths) -> Iterator[None]:
    """An exclusive, non-blocking lock beside the warehouse file, released on exit or crash."""
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = paths.db.with_name(paths.db.name + ".lock")
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise RefreshLockedError(
                f"another refresh holds {lock_path} (pid {holder}); it will be retried next time"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()


def results_scratch(results: Path) -> Path:
    return results.with_name(results.name + ".building")


def swap_results(scratch: Path, results: Path) -> None:
    """Put a finished results folder in place of the old one (two renames, old removed last)."""
    old = results.with_name(results.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if results.exists():
        os.replace(results, old)
    os.replace(scratch, results)
    shutil.rmtree(old, ignore_errors=True)


def dbt_args(plan: RefreshPlan, vars_text: str | None, vars_changed: bool) -> list[str]:
    """`build` of what the changes affect; everything on a full build or when vars changed.

    Unit tests are left out: they check the models' logic on fixed rows, which new data cannot
    change, and they run in every `blsu build` and `dbt build`. The data tests of every rebuilt
    model run.
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    if not plan.full and not vars_changed:
        args += ["--select", *plan.selectors()]
    if vars_text:
        args += ["--vars", vars_text]
    return args


StatsRunner = Callable[[Sequence[str]], int]


def _say(line: str) -> None:
    print(f"blsu refresh: {line}", file=sys.stderr, flush=True)


def run_refresh(
    paths: Paths, stats: StatsRunner, *, vars_text: str | None = None, force: bool = False
) -> int:
    """The refresh under its lock; returns the exit code and prints one summary line."""
    try:
        with refresh_lock(paths):
            return _refresh_locked(paths, stats, vars_text=vars_text, force=force)
    except RefreshLockedError as exc:
        _say(str(exc))
        return EXIT_LOCKED


def _refresh_locked(paths: Paths, stats: StatsRunner, *, vars_text: str | None, force: bool) -> int:
    start = time.perf_counter()
    try:
        check_unlocked(paths.db)
        dbt_vars = normalise_vars(vars_text)
        plan = plan_refresh(paths)
    except BuildError as exc:
        _say(str(exc))
        return EXIT_LOCKED if isinstance(exc, WarehouseLockedError) else EXIT_FAILED
    except RawExtractError as exc:
        _say(f"failed, warehouse unchanged: {exc}")
        append_log(paths, f"failed: {exc}")
        return EXIT_FAILED
    for warning in plan.warnings:
        _say(f"warning: {warning}")
    state = load_state(paths)
    vars_changed = state.get("vars", {}) != dbt_vars
    if not plan.any and not vars_changed and not force:
        print("nothing new: raw extracts and vars unchanged since the last refresh")
        return EXIT_NOTHING_NEW
    if vars_changed and not plan.full:
        plan.other_files.append("vars changed: every model rebuilt")
    args = dbt_args(plan, vars_text, vars_changed or force)
    scratch_results = results_scratch(paths.results)
    shutil.rmtree(scratch_results, ignore_errors=True)
    scratch = scratch_file(paths.db)
    try:
        target = dbt_target(paths.db)
        (target / "run_results.json").unlink(missing_ok=True)
        scratch = build_scratch(
            paths, args, from_current=not plan.full, quiet=True, target_path=target
        )
        n_models = models_rebuilt(target)
        code = stats(["--db", str(scratch), "--results", str(scratch_results), "--quiet"])
        if code != 0:
            raise BuildError(f"the statistics failed (exit {code}); see the output above")
        check_unlocked(paths.db)
        swap_in(scratch, paths.db)
        swap_results(scratch_results, paths.results)
    except (BuildError, RawExtractError) as exc:
        discard(scratch)
        shutil.rmtree(scratch_results, ignore_errors=True)
        _say(f"failed, warehouse and results unchanged: {exc}")
        append_log(paths, f"failed: {str(exc).splitlines()[0]}")
        return EXIT_FAILED
    stale = freshness_warning(paths.raw_dir, expected_police_year(dbt_vars))
    seconds = time.perf_counter() - start
    summary = f"refreshed: {plan.describe()}; {n_models} models rebuilt in {seconds:.1f} s"
    if stale:
        summary += f"; warning: {stale}"
    save_state(
        paths,
        {"vars": dbt_vars, "summary": summary, "raw_dir": str(paths.raw_dir)},
    )
    append_log(paths, summary)
    print(summary)
    return EXIT_REFRESHED
