"""The same project on Spark: `blsu build --target spark` on the main job's small extracts.

One Spark build (a local session, as `profiles/` defines it) runs every model and every dbt test
(generic, singular, unit) on Spark, with the vars of the main job's DuckDB warehouse as it is
when this module runs and the suite's random starts of the trajectory model
(BLSU_TRAJECTORY_STARTS, tests/conftest.py), so that the trajectory model estimated outside dbt
on Spark (blsu.spark_trajectories) is the same fit as the DuckDB build's Python models: every
mart it builds, the trajectory marts and the estimated profiles included, must equal that
DuckDB build row for row, and `blsu stats` must give the same tables from both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from e2e_env import BLSU, blsu_env

from blsu.spark_build import FIRST_STEP_RESULTS

# every table of `blsu stats` (the report and figures hold paths and timestamps)
SHARED_RESULTS = ("table_A1.csv", "table_A2.csv", "table_A3.csv", "table_profiles.csv",
                  "table_sample.csv", "balance.csv", "dq_findings.csv", "tests.csv",
                  "table_trajectories.csv", "trajectory_groups.csv",
                  "trajectory_model_selection.csv", "trajectory_agreement.csv",
                  "trajectory_agreement_table.csv")


@pytest.fixture(scope="module")
def spark_build(main_job: tuple[Path, subprocess.CompletedProcess], tmp_path_factory
                ) -> tuple[Path, Path]:
    """The main job's DuckDB warehouse as it is now (copied, with `blsu stats` beside it), and
    `blsu build --target spark` and `blsu stats` on the same extracts with the same vars:
    (the DuckDB file with the marts Spark built, the copy of the DuckDB warehouse)."""
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path_factory.mktemp("spark")
    (out / "duckdb").mkdir()
    duck_db = out / "duckdb" / "blsu.duckdb"
    shutil.copyfile(tmp / "blsu.duckdb", duck_db)  # other tests rebuild the main job's file
    shutil.copyfile(tmp / "blsu.duckdb.dbt-target" / "run_results.json",
                    out / "duckdb" / "run_results.json")
    with duckdb.connect(str(duck_db), read_only=True) as con:
        cli_vars = con.sql("select cli_vars from marts.dim_build_settings").fetchall()[0][0]
    vars_args = [] if json.loads(cli_vars) == {} else ["--vars", cli_vars]
    duck_env = blsu_env(tmp)
    duck_env.update(BLSU_DB=str(duck_db), BLSU_RESULTS=str(out / "duckdb" / "results"))
    spark_env = blsu_env(tmp)
    spark_env.update(BLSU_DB=str(out / "blsu.duckdb"), BLSU_RESULTS=str(out / "results"),
                     BLSU_SPARK_WAREHOUSE=str(out / "spark-warehouse"))
    for command, env in ((["stats", "--quiet"], duck_env),
                         (["build", "--target", "spark", "--quiet", *vars_args], spark_env),
                         (["stats", "--quiet"], spark_env)):
        done = subprocess.run([BLSU, *command], env=env, cwd=out, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, (command, done.stdout[-4000:], done.stderr[-4000:])
    return out / "blsu.duckdb", duck_db


def marts(db: Path) -> dict[str, list[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def test_every_dbt_test_passed_on_spark(spark_build: tuple[Path, Path]) -> None:
    spark_db, duck_db = spark_build
    target = spark_db.with_name(spark_db.name + ".dbt-target")
    # the build's two dbt runs: up to the trajectory model's input, then, after the estimator
    # step, the rest; a test runs in the first when all it tests is built by then
    first, last = (json.loads((target / name).read_text())
                   for name in (FIRST_STEP_RESULTS, "run_results.json"))
    assert last["metadata"]["dbt_version"]
    statuses = {r["unique_id"]: r["status"] for r in [*first["results"], *last["results"]]}
    kinds = {uid.split(".")[0] for uid in statuses}
    assert {"model", "seed", "test", "unit_test"} <= kinds
    first_ids = {r["unique_id"] for r in first["results"]}
    assert {uid.split(".")[0] for uid in first_ids} >= {"seed", "model", "test", "unit_test"}
    assert "model.blsu.int_offender_age_counts" in first_ids
    assert "model.blsu.int_trajectory_fits" not in first_ids
    assert {"model.blsu.int_offender_age_counts", "model.blsu.int_trajectory_assignments",
            "model.blsu.fct_trajectory_groups", "model.blsu.fct_study_persons"} <= set(statuses)
    assert sum(uid.startswith("unit_test.") for uid in statuses) >= 10
    # every test of the DuckDB build ran on Spark, once
    on_duckdb = json.loads((duck_db.parent / "run_results.json").read_text())["results"]
    tests = [r["unique_id"] for r in [*first["results"], *last["results"]]
             if r["unique_id"].startswith(("test.", "unit_test."))]
    assert sorted(tests) == sorted(r["unique_id"] for r in on_duckdb
                                   if r["unique_id"].startswith(("test.", "unit_test.")))
    assert any(uid.startswith("test.blsu.assert_") for uid in statuses)  # singular tests
    failed = {uid: s for uid, s in statuses.items()
              if s not in ("success", "pass") and not uid.startswith("exposure.")}
    assert failed == {}


def test_every_mart_equals_the_duckdb_build_row_for_row(spark_build: tuple[Path, Path]) -> None:
    spark_db, duck_db = spark_build
    on_spark, on_duckdb = marts(spark_db), marts(duck_db)
    assert set(on_spark) == set(on_duckdb)
    assert {"fct_trajectory_groups", "fct_trajectory_curves", "fct_trajectory_model_selection",
            "fct_trajectory_observed_by_age"} <= set(on_spark)
    con = duckdb.connect()
    con.execute(f"attach '{spark_db}' as spark (read_only)")
    con.execute(f"attach '{duck_db}' as duck (read_only)")
    for table, columns in on_spark.items():
        assert columns == on_duckdb[table], table
        listed = ", ".join(f'"{c}"' for c in columns)
        n_spark, n_duck = (con.execute(f"select count(*) from {db}.marts.{table}").fetchone()[0]
                           for db in ("spark", "duck"))
        assert n_spark == n_duck, table
        for left, right in (("spark", "duck"), ("duck", "spark")):
            extra = con.execute(
                f"select count(*) from (select {listed} from {left}.marts.{table} "
                f"except all select {listed} from {right}.marts.{table})"
            ).fetchone()[0]
            assert extra == 0, f"{table}: {extra} row(s) of the {left} build not in the other"
    # the trajectory model's columns are filled on Spark too
    assert con.execute(
        "select count(estimated_profile) from spark.marts.fct_offender_careers"
    ).fetchone()[0] > 0
    assert sum(n for n in (len(c) for c in on_spark.values())) > 40


def test_stats_give_the_same_tables_from_the_spark_marts(spark_build: tuple[Path, Path]) -> None:
    spark_db, duck_db = spark_build
    spark_results = spark_db.parent / "results"
    duck_results = duck_db.parent / "results"
    for name in SHARED_RESULTS:
        assert (spark_results / name).read_text() == (duck_results / name).read_text(), name
