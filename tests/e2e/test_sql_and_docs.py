"""`blsu sql` and `blsu docs` after the main job, as a user runs them."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from e2e_env import BLSU, blsu_env

from blsu_core.paths import PROJECT_ROOT

ANALYSES = sorted(p.stem for p in (PROJECT_ROOT / "analysis").glob("*.sql"))


def blsu(tmp: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BLSU, *args], env=blsu_env(tmp), cwd=tmp, input=stdin,
                          capture_output=True, text=True, timeout=300)


def study_group_sizes(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql("select study_group, count(*) from marts.fct_study_persons group by 1")
        return {group: n for group, n in rows.fetchall()}


@pytest.fixture(scope="module")
def site(main_job) -> Path:
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    return tmp


def test_sql_answers_a_query_on_the_study_persons(site: Path) -> None:
    proc = blsu(site, "sql", "select study_group, count(*) as n from marts.fct_study_persons "
                "group by 1 order by 1")
    assert proc.returncode == 0, proc.stderr
    for group, n in study_group_sizes(site / "blsu.duckdb").items():
        assert re.search(rf"│ {group}\s+│\s+{n} │", proc.stdout), proc.stdout


def test_sql_writes_csv_and_parquet(site: Path) -> None:
    query = "select study_group, count(*) as n from marts.fct_study_persons group by 1"
    expected = study_group_sizes(site / "blsu.duckdb")
    as_csv = blsu(site, "sql", query, "-o", "out/groups.csv")
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.strip() == "wrote 3 rows to out/groups.csv (csv)"
    with (site / "out" / "groups.csv").open() as fh:
        assert {r["study_group"]: int(r["n"]) for r in csv.DictReader(fh)} == expected
    as_parquet = blsu(site, "sql", query, "-o", "out/groups.parquet")
    assert as_parquet.returncode == 0, as_parquet.stderr
    table = pq.read_table(site / "out" / "groups.parquet").to_pydict()
    assert dict(zip(table["study_group"], table["n"], strict=True)) == expected


@pytest.mark.parametrize("name", ANALYSES)
def test_sql_runs_each_analysis_by_name(site: Path, name: str) -> None:
    out = site / "analyses" / f"{name}.csv"
    proc = blsu(site, "sql", name, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows, f"{name} returned no rows"


def test_an_analysis_runs_as_its_build_compiled_it_and_compiles_for_other_vars(
    site: Path,
) -> None:
    stored = blsu(site, "sql", "lvb_share_by_group", "-o", "stored.csv")
    assert stored.returncode == 0, stored.stderr
    assert "compiling" not in stored.stderr  # the SQL the build compiled, no dbt
    compiled = blsu(site, "sql", "lvb_share_by_group", "--vars", "{matching_seed: 8}",
                    "-o", "compiled.csv")
    assert compiled.returncode == 0, compiled.stderr
    assert ("blsu sql: compiling analysis/lvb_share_by_group.sql with dbt (--vars other than "
            "the warehouse's)") in compiled.stderr
    # the query has no order by: the same rows, in whatever order DuckDB groups them
    compiled_rows = (site / "compiled.csv").read_text().splitlines()
    stored_rows = (site / "stored.csv").read_text().splitlines()
    assert compiled_rows[0] == stored_rows[0]
    assert sorted(compiled_rows[1:]) == sorted(stored_rows[1:])
    assert len(stored_rows) == 4  # a header and the three study groups


def test_lvb_share_analysis_equals_the_same_query_on_the_mart(site: Path) -> None:
    proc = blsu(site, "sql", "analysis/lvb_share_by_group.sql", "-o", "lvb.csv")
    assert proc.returncode == 0, proc.stderr
    with (site / "lvb.csv").open() as fh:
        shares = {r["study_group"]: float(r["lvb_share"]) for r in csv.DictReader(fh)}
    with duckdb.connect(str(site / "blsu.duckdb"), read_only=True) as con:
        direct = dict(con.sql("select study_group, avg(has_lvb::int) from "
                              "marts.fct_study_persons group by 1").fetchall())
    assert shares == pytest.approx(direct)


def test_sql_refuses_a_write_and_leaves_the_warehouse_as_it_was(site: Path) -> None:
    db = site / "blsu.duckdb"
    before = study_group_sizes(db)
    proc = blsu(site, "sql", "delete from marts.fct_study_persons")
    assert proc.returncode == 1
    assert "read-only" in proc.stderr and "--write" in proc.stderr
    assert study_group_sizes(db) == before


def test_sql_script_on_stdin_lists_tables_with_their_dbt_descriptions(site: Path) -> None:
    proc = blsu(site, "sql", stdin=".tables marts\n.columns marts.fct_study_persons\n"
                "create temp table t as select 41 + 1 as answer;\nselect answer from t;\n")
    assert proc.returncode == 0, proc.stderr
    assert "fct_study_persons" in proc.stdout
    assert "One row per study person" in proc.stdout
    assert "any LVB source var lvb_sources names" in proc.stdout  # has_lvb's description
    assert re.search(r"│\s+42 │", proc.stdout)


def test_the_prompt_on_a_terminal_answers_and_keeps_the_history(site: Path, tmp_path) -> None:
    history = tmp_path / "history"
    main, terminal = pty.openpty()
    shell = subprocess.Popen([BLSU, "sql"], stdin=terminal, stdout=terminal, stderr=terminal,
                             env=blsu_env(site) | {"BLSU_SQL_HISTORY": str(history)}, cwd=site)
    os.close(terminal)
    os.write(main, b"select count(*) as n\n  from marts.fct_study_persons;\n.quit\n")
    screen = b""
    while select.select([main], [], [], 60)[0]:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the shell has left and closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    assert shell.wait(timeout=60) == 0
    text = screen.decode()
    n = sum(study_group_sizes(site / "blsu.duckdb").values())
    assert "blsu> " in text and "   ...> " in text
    assert re.search(rf"│\s+{n} │", text), text
    assert "left the shell" in text and "unchanged (read-only)" in text
    assert history.read_text().splitlines()[-3:] == [
        "select count(*) as n", "  from marts.fct_study_persons;", ".quit"]


def test_sql_says_a_refresh_is_running_instead_of_failing(site: Path) -> None:
    from blsu.sql import warehouse_activity

    db = site / "blsu.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from blsu.lock import warehouse_lock\n"
         "with warehouse_lock(Path(sys.argv[1]), 'blsu refresh'):\n"
         "    print('held', flush=True); time.sleep(30)", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        said = warehouse_activity(db)
        assert said is not None and said.startswith(
            f"the warehouse is being rebuilt by pid {holder.pid} (`blsu refresh`")
        refused = blsu(site, "sql", "--write", "select 1")
        assert refused.returncode == 1
        assert f"pid {holder.pid} (`blsu refresh`" in refused.stderr
    finally:
        holder.kill()
        holder.wait()
    assert warehouse_activity(db) is None


def test_sql_names_the_process_that_holds_the_warehouse_for_writing(site: Path) -> None:
    db = site / "blsu.duckdb"
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(30)", str(db)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        proc = blsu(site, "sql", "select 1")
    finally:
        writer.kill()
        writer.wait()
    assert proc.returncode == 1
    assert "is open for writing" in proc.stderr and "try again" in proc.stderr


def test_docs_writes_one_offline_html_with_the_lineage_to_the_report(site: Path) -> None:
    proc = blsu(site, "docs")
    assert proc.returncode == 0, proc.stderr
    html = site / "results" / "warehouse_docs.html"
    assert proc.stdout.strip() == f"wrote the dbt docs site to {html} (open it in a browser)"
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']https?:""", text)
    manifest = embedded_manifest(text)
    exposures = manifest["exposures"]
    assert set(exposures) == {"exposure.blsu.python_stats", "exposure.blsu.reproduction_report"}
    for exposure in exposures.values():
        assert "model.blsu.fct_study_persons" in exposure["depends_on"]["nodes"]
    person_parents = manifest["parent_map"]["model.blsu.fct_study_persons"]
    assert person_parents, "the lineage of the mart is in the site"


def embedded_manifest(html: str) -> dict:
    """The manifest the static site inlines (`{manifest:{"metadata": ...}` in its script)."""
    start = html.index('manifest:{"metadata"') + len("manifest:")
    manifest, _ = json.JSONDecoder().raw_decode(html[start:])
    return manifest


def test_every_model_and_every_mart_column_is_described(site: Path) -> None:
    manifest = json.loads((site / "blsu.duckdb.dbt-target" / "manifest.json").read_text())
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    assert [uid for uid, n in models.items() if not n["description"].strip()] == []
    marts = [n for n in models.values() if n["fqn"][1] == "marts"]
    undocumented = [f"{n['name']}.{c}" for n in marts for c, col in n["columns"].items()
                    if not col["description"].strip()]
    assert undocumented == []
    assert all(n["columns"] for n in marts)
