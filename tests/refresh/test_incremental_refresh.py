"""A refresh loads only new and replaced years and ends exactly where a full rebuild ends."""

from __future__ import annotations

import json
import shutil

from conftest import Site
from helpers import (
    corrected_copy,
    mart_rows,
    query,
    restore_keeping_signature,
    scramble_keeping_signature,
)

from blsu.analyses import Stored, analysis_names
from blsu_core.record import read_record


def test_refresh_with_nothing_new_exits_3_and_rebuilds_nothing(site: Site) -> None:
    before = site.db.stat().st_mtime_ns
    proc = site.blsu("refresh")
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.startswith("nothing new")
    assert site.db.stat().st_mtime_ns == before


def test_new_and_corrected_years_load_alone_and_equal_a_full_rebuild(site: Site, tmp_path) -> None:
    sloaang = site.raw / "SLOAANG"
    shutil.copy2(sloaang / "SLOAANG2023CBKV1.parquet", sloaang / "SLOAANG2024CBKV1.parquet")
    n_corrected = corrected_copy(
        sloaang / "SLOAANG2016CBKV1.parquet", sloaang / "SLOAANG2016CBKV2.parquet"
    )
    unchanged = sloaang / "SLOAANG2012CBKV1.parquet"
    original = scramble_keeping_signature(unchanged)

    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert proc.stdout.startswith("refreshed: SLOAANG 2016 V2 replaces V1, SLOAANG 2024 added"), (
        proc.stdout
    )
    # only the two changed years were read (the scrambled 2012 file was never opened)
    manifest = site.db.with_name(site.db.name + ".ingest") / "SLOAANG" / "_inventory.json"
    states = {f["file_name"]: f["state"] for f in json.loads(manifest.read_text())["files"]}
    assert states["SLOAANG2016CBKV1.parquet"] == "superseded"
    assert states["SLOAANG2012CBKV1.parquet"] == "unchanged"
    # the queries of analysis/ were compiled for the warehouse the refresh swapped in
    kept, record = Stored.read(site.db), read_record(site.db)
    assert kept is not None and record is not None
    assert (kept.db, kept.record) == (str(site.db), record.digest)
    assert sorted(kept.queries) == analysis_names()
    # the per-file police counts scanned only the files of the pending years
    compiled = site.db.with_name(site.db.name + ".dbt-target") / "compiled" / "blsu" / "models"
    for model in ("int_police_registration_files", "int_police_registration_tallies"):
        sql = (compiled / "intermediate" / "data_quality" / f"{model}.sql").read_text()
        assert "file_year in (2016, 2024)" in sql, model
    # the corrected year replaced the old one wholesale; its duplicate row is counted in the
    # per-file counts of that year only
    assert query(
        site.db,
        "select source_file, count(*) from staging.stg_cbs__police_registrations "
        "where file_year = 2016 group by 1",
    ) == [("SLOAANG2016CBKV2.parquet", n_corrected + 1)]
    assert query(
        site.db,
        "select source_file, n_rows, n_duplicate_rows "
        "from intermediate.int_police_registration_files where file_year = 2016",
    ) == [("SLOAANG2016CBKV2.parquet", n_corrected + 1, 1)]
    assert query(
        site.db,
        "select n_records from marts.dq_findings where dataset = 'SLOAANG' "
        "and finding like 'duplicate rows%'",
    ) == [(1,)]

    restore_keeping_signature(unchanged, original)
    full = Site(tmp_path / "full")
    full.root.mkdir()
    shutil.copytree(site.raw, full.raw)
    built = full.blsu("build", "--quiet")
    assert built.returncode == 0, built.stderr[-5000:]
    refreshed, rebuilt = mart_rows(site.db), mart_rows(full.db)
    assert set(refreshed) == {
        "dim_build_settings",
        "dim_raw_files",
        "dq_findings",
        "fct_offender_careers",
        "fct_study_persons",
        "fct_trajectory_observed_by_age",
        "fct_trajectory_person_ages",
        "fct_trajectory_curves",
        "fct_trajectory_groups",
        "fct_trajectory_model_selection",
    }
    for table, rows in rebuilt.items():
        assert refreshed[table] == rows, table

    again = site.blsu("refresh")
    assert again.returncode == 3, again.stdout + again.stderr


def test_refresh_keeps_dbt_target_beside_the_warehouse_for_partial_parsing(site: Site) -> None:
    """Build and refresh share `<db>.dbt-target`, so dbt re-parses only what changed."""
    target = site.db.with_name(site.db.name + ".dbt-target")
    (site.raw / "SLOAANG" / "SLOAANG_notes.csv").write_text("a,b\n1,2\n")
    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert "SLOAANG SLOAANG_notes.csv unrecognised" in proc.stdout
    assert (target / "partial_parse.msgpack").is_file()
    results = (target / "run_results.json").read_text()
    assert '"model.blsu.dq_findings"' in results
    assert '"model.blsu.stg_cbs__police_registrations"' not in results
    # the next run builds its scratch file at the same path, so dbt's saved project holds
    (site.raw / "SLOAANG" / "SLOAANG_more_notes.csv").write_text("a,b\n1,2\n")
    again = site.blsu("refresh", "--verbose")
    assert again.returncode == 0, again.stderr[-5000:]
    assert "Unable to do partial parsing" not in again.stdout + again.stderr
    assert "Found 4" in again.stdout + again.stderr  # dbt's log was passed through
