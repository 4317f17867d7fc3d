"""The main job end to end on the small synthetic preset, as a user runs it."""

from __future__ import annotations

import csv
import subprocess

import duckdb
import pyarrow.parquet as pq
from e2e_env import BLSU, blsu_env

from blsu_core.paths import PROJECT_ROOT


def test_main_job_succeeds_and_writes_the_results_folder(main_job) -> None:
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    results = tmp / "results"
    for name in ("reproduction.csv", "tests.csv", "report.html", "report.md"):
        assert (results / name).stat().st_size > 0, name
    for fig in ("A1", "A2", "A3"):
        assert list(results.glob(f"*{fig}*.png")), fig
        assert list(results.glob(f"*{fig}*.svg")), fig


def test_reproduction_has_one_row_per_published_row(main_job) -> None:
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    with (PROJECT_ROOT / "published" / "published_figures.csv").open() as fh:
        published = [(r["figure"], r["measure"], r["group"]) for r in csv.DictReader(fh)]
    with (tmp / "results" / "reproduction.csv").open() as fh:
        reproduced = [(r["figure"], r["measure"], r["group"]) for r in csv.DictReader(fh)]
    assert reproduced == published


def test_nothing_person_level_is_exported(main_job) -> None:
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    with duckdb.connect(str(tmp / "blsu.duckdb"), read_only=True) as con:
        keys = {r[0] for r in con.sql("select rinpersoon from marts.fct_study_persons").fetchall()}
    assert len(keys) > 0
    for path in (tmp / "results").rglob("*"):
        if path.suffix in {".csv", ".md", ".html", ".json", ".svg"}:
            text = path.read_text(errors="replace")
            leaked = [k for k in keys if k in text]
            assert not leaked, f"{path.name} holds person keys {leaked[:3]}"


def test_a_failed_build_leaves_the_warehouse_as_it_was(main_job) -> None:
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    db = tmp / "blsu.duckdb"
    before = db.read_bytes()
    bad = tmp / "bad_raw"
    subprocess.run(["cp", "-r", str(tmp / "raw"), str(bad)], check=True)
    steekproef = next((bad / "BLSU_STEEKPROEF").iterdir())
    table = pq.read_table(steekproef)
    pq.write_table(table.drop_columns(["DADERPROFIEL"]), steekproef)
    env = blsu_env(tmp) | {"BLSU_RAW_DIR": str(bad)}
    failed = subprocess.run(
        [BLSU, "build", "--quiet"], env=env, cwd=tmp, capture_output=True, text=True, timeout=600
    )
    assert failed.returncode == 1
    assert "DADERPROFIEL" in failed.stdout + failed.stderr
    assert db.read_bytes() == before
    assert not list(tmp.glob("*.building*")) and not list(tmp.glob(".*.build-*"))


def test_stats_name_the_results_folder_not_their_scratch_folder(main_job) -> None:
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    env = blsu_env(tmp) | {"BLSU_RESULTS": str(tmp / "results_again")}
    stats = subprocess.run(
        [BLSU, "stats"], env=env, cwd=tmp, capture_output=True, text=True, timeout=600
    )
    assert stats.returncode == 0, stats.stderr[-5000:]
    assert f"results written to {tmp / 'results_again'}" in stats.stdout.splitlines()
    assert ".build-" not in stats.stdout + stats.stderr


def test_moving_the_victimisation_window_with_a_var_rebuilds_with_more_victimisations(
    main_job,
) -> None:
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    db = tmp / "blsu.duckdb"
    query = "select sum(n_victimisations) from marts.fct_study_persons"
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.sql(query).fetchall()[0][0]
    moved = subprocess.run(
        [BLSU, "build", "--quiet", "--vars", '{victim_window_start: "2009-01-01"}'],
        env=blsu_env(tmp),
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert moved.returncode == 0, (moved.stdout + moved.stderr)[-5000:]
    with duckdb.connect(str(db), read_only=True) as con:
        after = con.sql(query).fetchall()[0][0]
    # the generator writes a SLOAANG2009 file, outside the study window: now inside it
    assert after > before
