"""A command ends in the correct warehouse and results, or fails and leaves both as they were.

Full disks, a results folder that cannot be written and a kill in the middle of the swap are
injected (blsu.faults); every other case is the real thing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import Site
from helpers import lock_holder, mart_rows, query

from blsu import refresh as rf
from blsu.lock import LockedError, warehouse_lock
from blsu_core.paths import Paths
from blsu_core.record import read_record, results_digest


def snapshot(site: Site) -> tuple[bytes, dict[str, bytes]]:
    """The warehouse file's and every results file's bytes."""
    results = {p.name: p.read_bytes() for p in sorted(site.results.iterdir()) if p.is_file()}
    return site.db.read_bytes(), results


def in_step(site: Site) -> bool:
    """The results were computed from the warehouse in place (their records agree)."""
    record = read_record(site.db)
    return record is not None and results_digest(site.results) == record.digest


def no_leftovers(site: Site) -> bool:
    names = {p.name for p in site.root.iterdir()}
    return not any(".build-" in n or n.endswith((".old", ".swap.json", ".wal")) for n in names)


def land_2024(site: Site) -> None:
    sloaang = site.raw / "SLOAANG"
    shutil.copy2(sloaang / "SLOAANG2023CBKV1.parquet", sloaang / "SLOAANG2024CBKV1.parquet")


def police_years(site: Site) -> list[int]:
    return [r[0] for r in query(site.db, "select distinct file_year from raw.sloaang order by 1")]


def assert_clean_failure(proc: subprocess.CompletedProcess[str], site: Site, before: object,
                         code: int = 1) -> None:
    assert proc.returncode == code, proc.stdout + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert snapshot(site) == before
    assert no_leftovers(site)


# --- 1. full disk -------------------------------------------------------------------------------


def test_full_disk_at_the_checkpoint_fails_the_refresh_and_the_next_one_catches_up(
    site: Site,
) -> None:
    before = snapshot(site)
    land_2024(site)
    proc = site.blsu("refresh", fault="checkpoint")
    assert_clean_failure(proc, site, before)
    assert "No space left on device" in proc.stderr and "disk" in proc.stderr
    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "SLOAANG 2024 added" in proc.stdout
    assert 2024 in police_years(site) and in_step(site)


def test_full_disk_for_the_copy_is_a_clear_error(site: Site) -> None:
    before = snapshot(site)
    land_2024(site)
    proc = site.blsu("refresh", fault="copy")
    assert_clean_failure(proc, site, before)
    assert "could not copy the warehouse" in proc.stderr and "the disk is full" in proc.stderr


def test_full_disk_during_a_build_leaves_the_warehouse(site: Site) -> None:
    before = snapshot(site)
    proc = site.blsu("build", "--quiet", fault="checkpoint")
    assert_clean_failure(proc, site, before)


def test_a_wal_left_after_the_checkpoint_is_refused(tmp_path: Path) -> None:
    from blsu.swap import SwapError, seal

    db = tmp_path / "blsu.duckdb"
    duckdb.connect(str(db)).execute("create table t as select 1 as x").close()
    (tmp_path / "blsu.duckdb.wal").write_bytes(b"x" * 10)
    with pytest.raises(SwapError, match="10 bytes in its write-ahead log"):
        seal(db)


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """Mount size-limited file systems (tmpfs of the given bytes); skipped where not allowed."""
    mounts: list[Path] = []

    def mount(size: int) -> Path:
        point = tmp_path / f"disk{len(mounts)}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            pytest.skip("cannot mount a size-limited file system here (needs root)")
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", str(point)], check=False)


def test_a_really_full_disk_fails_the_build_cleanly(site: Site, small_disk) -> None:
    for size in (6 << 20, 14 << 20):
        disk = small_disk(size)
        db = disk / "blsu.duckdb"
        proc = site.blsu("build", "--quiet", BLSU_DB=str(db), BLSU_RESULTS=str(disk / "results"))
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert "No space left on device" in proc.stderr and "Traceback" not in proc.stderr
        assert not db.exists() and not list(disk.glob(".*.build-*"))


def test_a_really_full_disk_ends_in_the_old_or_the_right_state(site: Site, small_disk) -> None:
    used = site.db.stat().st_size + sum(p.stat().st_size for p in site.results.iterdir())
    disk = small_disk(used + site.db.stat().st_size + (3 << 20))
    db, results = disk / "blsu.duckdb", disk / "results"
    shutil.copy2(site.db, db)
    shutil.copytree(site.results, results)
    before = db.read_bytes(), {p.name: p.read_bytes() for p in results.iterdir()}
    land_2024(site)
    proc = site.blsu("refresh", BLSU_DB=str(db), BLSU_RESULTS=str(results))
    assert "Traceback" not in proc.stderr
    assert not list(disk.glob(".*.build-*")) and not list(disk.glob("*.old"))
    if proc.returncode == 0:  # it fitted: then it must be right
        assert 2024 in [r[0] for r in query(db, "select distinct file_year from raw.sloaang")]
    else:
        assert proc.returncode == 1 and "No space left on device" in proc.stderr
        assert (db.read_bytes(), {p.name: p.read_bytes() for p in results.iterdir()}) == before


# --- 2. empty dataset folders; 3. removed and moved files ------------------------------------


def test_empty_dataset_folder_fails_the_build_unless_accepted(site: Site) -> None:
    before = snapshot(site)
    removed = sorted(path.name for path in (site.raw / "WSW_2015_2021").iterdir())
    for path in (site.raw / "WSW_2015_2021").iterdir():
        path.unlink()
    proc = site.blsu("build", "--quiet")
    assert_clean_failure(proc, site, before)
    assert f"{site.raw / 'WSW_2015_2021'}: dataset WSW_2015_2021 has no data file" in proc.stderr
    # the warehouse's record names the file that was there at the last build
    assert f"at the last build it held {', '.join(removed)}, which is gone" in proc.stderr
    assert "--accept-short-data" in proc.stderr
    proc = site.blsu("refresh")
    assert_clean_failure(proc, site, before)  # the only snapshot file removed: not "nothing new"
    proc = site.blsu("build", "--quiet", "--accept-short-data")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "warning (accepted)" in proc.stderr
    assert query(site.db, "select count(*) from staging.stg_cbs__sheltered_work") == [(0,)]


def test_removed_newer_version_is_a_change_like_a_landing(site: Site) -> None:
    (site.raw / "AO_2015_2021" / "AO2015_2021V2.parquet").unlink()
    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "AO2015_2021V1.parquet replaces AO2015_2021V2.parquet" in proc.stdout
    assert query(site.db, "select distinct source_file from staging.stg_cbs__disability_benefits"
                 ) == [("AO2015_2021V1.parquet",)]
    assert in_step(site)


def test_moved_raw_folder_leaves_the_warehouse_readable(site: Site) -> None:
    views = query(site.db, "select sql from duckdb_views() where schema_name = 'staging'")
    assert not any(str(site.raw) + "/" in sql for (sql,) in views)  # no raw file by its path
    persons = query(site.db, "select count(*) from staging.stg_cbs__persons")
    study = query(site.db, "select count(*) from marts.fct_study_persons")
    moved = site.root / "moved"
    shutil.move(site.raw, moved)
    assert query(site.db, "select count(*) from staging.stg_cbs__persons") == persons
    assert query(site.db, "select count(*) from marts.fct_study_persons") == study
    proc = site.blsu("refresh", BLSU_RAW_DIR=str(moved))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "raw folder moved" in proc.stdout
    assert query(site.db, "select count(*) > 0 from staging.stg_cbs__sheltered_work") == [(True,)]
    assert site.blsu("refresh", BLSU_RAW_DIR=str(moved)).returncode == 3


# --- 4. drift between warehouse and results, concurrency ---------------------------------------


def test_build_after_a_landing_is_not_nothing_new_for_the_refresh(site: Site) -> None:
    land_2024(site)
    assert site.blsu("build", "--quiet").returncode == 0
    assert not in_step(site)
    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "results recomputed" in proc.stdout
    assert in_step(site)
    assert site.blsu("refresh").returncode == 3


def test_build_with_other_vars_makes_the_refresh_rebuild(site: Site) -> None:
    proc = site.blsu("build", "--quiet", "--vars", "{victim_window_end: 2020-12-31}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert read_record(site.db).vars == {"victim_window_end": "2020-12-31"}
    proc = site.blsu("refresh", "--vars", "{victim_window_end: 2020-12-31}")
    assert proc.returncode == 0 and "results recomputed" in proc.stdout
    proc = site.blsu("refresh", "--vars", '{victim_window_end: "2020-12-31"}')
    assert proc.returncode == 3, proc.stdout  # the unquoted date was kept as its text
    proc = site.blsu("refresh")
    assert proc.returncode == 0 and "vars changed" in proc.stdout


def test_results_that_cannot_be_swapped_roll_the_warehouse_back(site: Site) -> None:
    before = snapshot(site)
    land_2024(site)
    proc = site.blsu("refresh", fault="swap-results")
    assert_clean_failure(proc, site, before)
    assert "Permission denied" in proc.stderr
    proc = site.blsu("refresh")
    assert proc.returncode == 0 and "SLOAANG 2024 added" in proc.stdout


def test_kill_between_the_two_swaps_is_rolled_back_by_the_next_command(site: Site) -> None:
    before = snapshot(site)
    land_2024(site)
    proc = site.blsu("refresh", fault="kill:swap")
    assert proc.returncode == 137
    assert site.root.joinpath("blsu.duckdb.swap.json").exists()
    proc = site.blsu("stats", "--quiet")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "rolled back an interrupted swap" in proc.stderr
    assert site.db.read_bytes() == before[0]
    assert 2024 not in police_years(site)
    assert no_leftovers(site)


def test_run_whose_statistics_fail_changes_nothing(site: Site) -> None:
    before = snapshot(site)
    proc = site.blsu("run", "--quiet", fault="results")
    assert_clean_failure(proc, site, before)


def test_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = lock_holder(db)
    try:
        with (
            pytest.raises(LockedError, match=rf"pid {holder.pid} \(`blsu refresh`"),
            warehouse_lock(db, "blsu build"),
        ):
            pass
    finally:
        holder.communicate("\n", timeout=30)
    with warehouse_lock(db, "blsu build"):
        pass


def test_overlapping_refresh_exits_75_and_names_the_holder(tmp_path: Path) -> None:
    (tmp_path / "raw" / "SLOAANG").mkdir(parents=True)
    (tmp_path / "raw" / "SLOAANG" / "SLOAANG2022CBKV1.parquet").write_bytes(b"x")
    paths = Paths(raw_dir=tmp_path / "raw", db=tmp_path / "w.duckdb", results=tmp_path / "r")
    holder = lock_holder(paths.db)
    try:
        assert rf.run_refresh(paths, lambda argv: 0) == rf.EXIT_LOCKED
    finally:
        holder.communicate("\n", timeout=30)


@pytest.mark.parametrize("command", [["build", "--quiet"], ["refresh"], ["run"], ["stats"]])
def test_every_writing_command_waits_for_the_lock_with_exit_75(
    site: Site, command: list[str]
) -> None:
    before = snapshot(site)
    holder = lock_holder(site.db)
    try:
        proc = site.blsu(*command)
    finally:
        holder.communicate("\n", timeout=30)
    assert_clean_failure(proc, site, before, code=75)
    assert f"being written by pid {holder.pid} (`blsu refresh`" in proc.stderr


def test_build_and_refresh_at_once_one_waits(site: Site) -> None:
    land_2024(site)
    command = [str(Path(sys.executable).with_name("blsu")), "build", "--quiet"]
    first = subprocess.Popen(command, env=site.env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    second = site.blsu("refresh")
    out, err = first.communicate(timeout=600)
    codes = sorted([first.returncode, second.returncode])
    assert codes in ([0, 0], [0, 75]), (out, err[-2000:], second.stderr[-2000:])
    assert "Traceback" not in err + second.stderr
    assert 2024 in police_years(site)
    assert no_leftovers(site)


# --- 5. errors that name the problem ------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "refresh"])
def test_corrupt_warehouse_file_is_rebuilt(site: Site, command: str) -> None:
    marts = mart_rows(site.db)
    site.db.write_bytes(b"not a duckdb file" * 100)
    proc = site.blsu(command)
    assert proc.returncode == 0, proc.stderr[-3000:]
    if command == "refresh":
        assert "full build (warehouse without a record)" in proc.stdout
        assert in_step(site)
    assert mart_rows(site.db) == marts


def test_warehouse_whose_folder_is_a_file_is_a_clear_error(site: Site) -> None:
    blocker = site.root / "blocker"
    blocker.write_text("")
    for command in (["build", "--quiet"], ["refresh"]):
        proc = site.blsu(*command, BLSU_DB=str(blocker / "blsu.duckdb"))
        assert proc.returncode == 1, proc.stderr
        assert f"{blocker} is a file, not a folder; point BLSU_DB" in proc.stderr
        assert "Traceback" not in proc.stderr
    proc = site.blsu("--debug", "build", BLSU_DB=str(blocker / "blsu.duckdb"))
    assert "Traceback" in proc.stderr


def test_a_csv_column_named_scan_sql_is_data_not_sql(site: Site) -> None:
    path = site.raw / "WSW_2015_2021" / "WSW2015_2021V1.parquet"
    frame = pq.read_table(path).to_pandas()
    frame["SCAN_SQL"] = "select error('executed')"
    frame.to_csv(path.with_name("WSW2015_2021V2.csv"), index=False)
    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert query(site.db, "select count(*) from staging.stg_cbs__sheltered_work") == [
        (len(frame),)
    ]


@pytest.mark.parametrize("name", ["full.duckdb", "my blsu-2024 warehouse.duckdb"])
def test_any_warehouse_file_name_builds(site: Site, name: str) -> None:
    db = site.root / name
    proc = site.blsu("build", "--quiet", BLSU_DB=str(db))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert mart_rows(db) == mart_rows(site.db)


# --- 6. one date basis, one path rule -----------------------------------------------------------


def test_freshness_is_judged_against_the_newest_data_or_the_var(site: Site) -> None:
    sql = ("select finding, n_records from marts.dq_findings "
           "where starts_with(finding, 'years missing')")
    assert query(site.db, sql) == [
        ("years missing after the newest police file (expected up to 2021)", 0)
    ]
    proc = site.blsu("refresh", "--vars", "{reference_date: 2030-06-30}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert query(site.db, sql) == [
        ("years missing after the newest police file (expected up to 2028)", 5)
    ]
    assert "SLOAANG is stale" in proc.stdout


def test_stats_from_another_folder_uses_the_same_paths(site: Site, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = [str(Path(sys.executable).with_name("blsu")), "stats", "--quiet"]
    proc = subprocess.run(command, env=site.env(), cwd=elsewhere, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert in_step(site)
    assert not any(elsewhere.iterdir())
