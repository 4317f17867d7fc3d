"""The commands that write a warehouse or its results, each under the warehouse lock.

`build` (warehouse only), `run` (warehouse and results), `stats` (results of the current
warehouse) and `refresh` (`blsu.refresh`) share the steps here: take the lock, repair a swap a
killed run left, check the raw extracts against their expectations, build into this run's
scratch file with the record of what it holds, compute the results into a scratch folder with
the same record, and swap in what was made, together.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blsu.dbt_runner import (
    BuildError,
    build_scratch,
    clear_stale_scratch,
    scratch_dir,
)
from blsu.faults import maybe_fail
from blsu.swap import SwapError, recover, swap_together, verify_results
from blsu_core.datasets import DATASETS
from blsu_core.paths import Paths, ensure_folder
from blsu_core.record import (
    WarehouseRecord,
    input_rows,
    make_record,
    read_record,
    vars_argument,
    write_results_record,
)
from blsu_ingest.expectations import check_expected
from blsu_ingest.ingest import canonical_paths, ingest, prune
from blsu_ingest.inventory import (
    FileEntry,
    find_dataset_folder,
    inventory_dataset,
    unrecognised_folders,
)
from blsu_ingest.readers import folder_entries
from blsu_ingest.spark_plan import write_spark_plans

StatsRunner = Callable[[Sequence[str]], int]


def say(command: str, line: str) -> None:
    print(f"blsu {command}: {line}", file=sys.stderr, flush=True)


def prepare(paths: Paths, command: str) -> None:
    """Under the lock: finish or undo a swap a killed run left, remove stale scratch folders."""
    done = recover(paths.db)
    if done:
        say(command, done)
    clear_stale_scratch(paths.db)
    clear_stale_scratch(paths.results)


def current_entries(raw_dir: Path) -> dict[str, list[FileEntry]]:
    """The inventory of every dataset folder, plus files in folders that are no dataset."""
    entries = {name: inventory_dataset(raw_dir, spec) for name, spec in DATASETS.items()}
    for folder in unrecognised_folders(raw_dir, list(DATASETS)):
        entries[folder.name] = folder_entries(folder)
    return entries


def dataset_folders(raw_dir: Path) -> dict[str, str]:
    return {name: str(find_dataset_folder(raw_dir, name)) for name in DATASETS}


def used(entries: dict[str, list[FileEntry]]) -> list[FileEntry]:
    return [e for name in DATASETS for e in entries.get(name, []) if e.status == "used"]


@dataclass(frozen=True)
class Inputs:
    """The raw folder as found, checked against the expectations, and the record it makes."""

    entries: dict[str, list[FileEntry]]
    record: WarehouseRecord
    shortfalls: list[str]


def check_inputs(
    paths: Paths,
    dbt_vars: dict[str, Any],
    to_read: Iterable[FileEntry] | None = None,
    *,
    accept_short: bool = False,
) -> Inputs:
    """Inventory the raw folder, ingest it (validated, canonical Parquet; files already
    ingested with the same signature are not read again) and check the files to read (every
    used file by default) against their expectations."""
    entries = current_entries(paths.raw_dir)
    folders = dataset_folders(paths.raw_dir)
    ingested = ingest(paths.raw_dir, paths.ingested)
    write_spark_plans(paths.raw_dir, paths.ingested, ingested)
    canonical = canonical_paths(ingested)
    files = used(entries) if to_read is None else list(to_read)
    shortfalls = check_expected(entries, folders, files, canonical, accept_short=accept_short,
                                previous=files_at_last_build(paths.db))
    return Inputs(entries, make_record(paths.raw_dir, entries, dbt_vars), shortfalls)


def files_at_last_build(db: Path) -> dict[str, list[str]]:
    """The files each dataset used at the warehouse's last build (its record; empty without)."""
    record = read_record(db)
    out: dict[str, list[str]] = {}
    for row in input_rows(record) if record is not None else []:
        if row["status"] == "used":
            out.setdefault(row["dataset"], []).append(row["file_name"])
    return out


def dbt_build_args(dbt_vars: dict[str, Any], extra: Sequence[str] = ()) -> list[str]:
    return ["build", *extra, *vars_argument(dbt_vars)]


def stats_scratch(
    stats: StatsRunner, db: Path, results: Path, record: WarehouseRecord | None, quiet: bool,
    carry_from: Path | None = None,
) -> Path:
    """Compute the results of warehouse `db` into this run's scratch folder and verify them.

    The sensitivity files of the current results (or of `carry_from`) are put in first: the
    statistics keep them when they belong to this warehouse and drop them otherwise
    (python_stats.sensitivity.current)."""
    from python_stats.sensitivity import carry_over

    ensure_folder(results.parent, "the results", "BLSU_RESULTS")
    folder = scratch_dir(results)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        carry_over(carry_from or results, folder)
        code = stats(["--db", str(db), "--results", str(folder), *(["--quiet"] if quiet else [])])
        if code != 0:
            raise BuildError(f"the statistics failed (exit {code}); see the output above")
        maybe_fail("results")
        if record is not None:
            write_results_record(folder, record)
        verify_results(folder)
    except SwapError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise BuildError(str(exc)) from exc
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise BuildError(
            f"could not write the results into {folder} ({exc.strerror or exc}); "
            "the warehouse and the results are as they were"
        ) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def commit(paths: Paths, scratch_db: Path | None, scratch_results: Path | None) -> None:
    """Swap in the new warehouse and/or results, together; clean the scratch folders."""
    pairs = []
    if scratch_db is not None:
        pairs.append((scratch_db, paths.db))
    if scratch_results is not None:
        pairs.append((scratch_results, paths.results))
    try:
        swap_together(paths.db, pairs)
    except SwapError as exc:
        raise BuildError(str(exc)) from exc
    else:
        if scratch_db is not None:
            prune(paths.ingested)  # converted files no inventory uses any more
    finally:
        if scratch_db is not None:
            shutil.rmtree(scratch_db.parent, ignore_errors=True)
        if scratch_results is not None:
            shutil.rmtree(scratch_results, ignore_errors=True)


def discard(scratch_db: Path | None, scratch_results: Path | None) -> None:
    if scratch_db is not None:
        shutil.rmtree(scratch_db.parent, ignore_errors=True)
    if scratch_results is not None:
        shutil.rmtree(scratch_results, ignore_errors=True)


def build(
    paths: Paths,
    dbt_vars: dict[str, Any],
    *,
    extra_args: Sequence[str] = (),
    accept_short: bool = False,
    quiet: bool = False,
    stats: StatsRunner | None = None,
    stats_quiet: bool = True,
    target: str | None = None,
) -> Inputs:
    """A full build from the raw folder (and, with `stats`, the results), swapped in together.

    Without `stats` the results are left as they are; their record then differs from the
    warehouse's, so the next refresh recomputes them.
    """
    inputs = check_inputs(paths, dbt_vars, accept_short=accept_short)
    for shortfall in inputs.shortfalls:
        say("build", f"warning (accepted): {shortfall}")
    scratch = build_scratch(
        paths, dbt_build_args(dbt_vars, extra_args), record=inputs.record, from_current=False,
        quiet=quiet, target=target,
    )
    results = None
    try:
        if stats is not None:
            results = stats_scratch(stats, scratch, paths.results, inputs.record, stats_quiet)
    except BaseException:
        discard(scratch, results)
        raise
    commit(paths, scratch, results)
    return inputs


def stats_only(paths: Paths, stats: StatsRunner, extra: Sequence[str] = (), quiet: bool = False
               ) -> None:
    """The results of the current warehouse, computed aside and swapped in when complete."""
    if not paths.db.exists():
        raise BuildError(f"no warehouse at {paths.db}: run `blsu build` first")
    record = read_record(paths.db)

    def runner(argv: Sequence[str]) -> int:
        return stats([*argv, *extra])

    results = stats_scratch(runner, paths.db, paths.results, record, quiet)
    commit(paths, None, results)
