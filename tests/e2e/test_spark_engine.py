"""The same project on Spark: `blsu build --target spark` on the main job's small extracts.

One Spark build (a local session, as `profiles/` defines it) runs every model and every dbt test
(generic, singular, unit) on Spark, with the vars of the main job's DuckDB warehouse as it is
when this module runs; every mart it builds must equal that DuckDB build row for row, and
`blsu stats` must give the same tables from both. The trajectory model is not
fitted on Spark (docs/engines.md): its marts are absent and its columns null there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from e2e_env import BLSU, blsu_env

# columns filled by the trajectory model (dbt Python models), which Spark leaves null
TRAJECTORY_COLUMNS = {
    "fct_study_persons": {"estimated_profile", "estimated_profile_probability"},
    "fct_offender_careers": {"estimated_profile"},
}
# results that do not rest on the trajectory model
SHARED_RESULTS = ("table_A1.csv", "table_A2.csv", "table_A3.csv", "table_profiles.csv",
                  "table_sample.csv", "balance.csv", "dq_findings.csv", "tests.csv")

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
    spark_db, _ = spark_build
    run = json.loads((spark_db.with_name(spark_db.name + ".dbt-target") / "run_results.json")
                     .read_text())
    assert run["metadata"]["dbt_version"]
    statuses = {r["unique_id"]: r["status"] for r in run["results"]}
    kinds = {uid.split(".")[0] for uid in statuses}
    assert {"model", "seed", "test", "unit_test"} <= kinds
    assert sum(uid.startswith("unit_test.") for uid in statuses) >= 10
    assert any(uid.startswith("test.blsu.assert_") for uid in statuses)  # singular tests
    failed = {uid: s for uid, s in statuses.items()
              if s not in ("success", "pass") and not uid.startswith("exposure.")}
    assert failed == {}


def test_every_mart_equals_the_duckdb_build_row_for_row(spark_build: tuple[Path, Path]) -> None:
    spark_db, duck_db = spark_build
    on_spark, on_duckdb = marts(spark_db), marts(duck_db)
    assert set(on_spark) == {t for t in on_duckdb if not t.startswith("fct_trajectory_")}
    con = duckdb.connect()
    con.execute(f"attach '{spark_db}' as spark (read_only)")
    con.execute(f"attach '{duck_db}' as duck (read_only)")
    for table, columns in on_spark.items():
        assert columns == on_duckdb[table], table
        null_on_spark = TRAJECTORY_COLUMNS.get(table, set())
        for column in null_on_spark:
            assert con.execute(
                f'select count(*) from spark.marts.{table} where "{column}" is not null'
            ).fetchone()[0] == 0
        kept = ", ".join(f'"{c}"' for c in columns if c not in null_on_spark)
        n_spark, n_duck = (con.execute(f"select count(*) from {db}.marts.{table}").fetchone()[0]
                           for db in ("spark", "duck"))
        assert n_spark == n_duck, table
        for left, right in (("spark", "duck"), ("duck", "spark")):
            extra = con.execute(
                f"select count(*) from (select {kept} from {left}.marts.{table} "
                f"except all select {kept} from {right}.marts.{table})"
            ).fetchone()[0]
            assert extra == 0, f"{table}: {extra} row(s) of the {left} build not in the other"
    assert sum(n for n in (len(c) for c in on_spark.values())) > 40


def test_stats_give_the_same_tables_from_the_spark_marts(spark_build: tuple[Path, Path]) -> None:
    spark_db, duck_db = spark_build
    spark_results = spark_db.parent / "results"
    duck_results = duck_db.parent / "results"
    for name in SHARED_RESULTS:
        assert (spark_results / name).read_text() == (duck_results / name).read_text(), name
