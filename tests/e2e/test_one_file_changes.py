"""A vocabulary, a code's category and an LVB window are each a change of one seed file.

A copy of the project with three seeds edited (a profile's label, the report category of one
feitcode, the window of the CIZ codes) runs the main job on the extracts of the shared small run
(one build for all three); the marts and the results show the new values, worked out here from
the staging rows and the extracts rather than from the models under test.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from blsu_core.paths import PROJECT_ROOT
from python_stats.disclosure import DisclosureRules

PROFILE, OLD_LABEL, NEW_LABEL = "vroeg_piek", "Vroeg piek", "Piek in de tienerjaren"
MOVED_CODE, OLD_CATEGORY, NEW_CATEGORY = "SR:285", "geweld", "overig"  # bedreiging
CIZ_START, OLD_CIZ_END, NEW_CIZ_END = "2017-01-01", "2021-12-31", "2018-12-31"
COPIED = ("blsu", "blsu_core", "blsu_ingest", "blsu_synth", "python_stats", "gbtm", "models",
          "macros", "seeds", "published", "profiles", "analysis", "tests/dbt",
          "dbt_project.yml")


def replace_in(path: Path, old: str, new: str, count: int) -> None:
    """Edit a seed; fail when it does not hold `old` `count` times (the seed has changed)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, (path.name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def edited_project(root: Path) -> Path:
    """A copy of the project's code and dbt project with the three seed edits."""
    for name in COPIED:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name,
                            ignore=shutil.ignore_patterns("__pycache__", "target", "logs"))
        else:
            shutil.copy2(source, root / name)
    seeds = root / "seeds"
    replace_in(seeds / "profiles.csv", f"{PROFILE},2,{OLD_LABEL},", f"{PROFILE},2,{NEW_LABEL},", 1)
    replace_in(seeds / "feitcodes.csv", f"bedreiging,{OLD_CATEGORY}",
               f"bedreiging,{NEW_CATEGORY}", 1)
    replace_in(seeds / "lvb_codes.csv", f"{CIZ_START},{OLD_CIZ_END},CIZBESLUITDATUM",
               f"{CIZ_START},{NEW_CIZ_END},CIZBESLUITDATUM", 6)
    return root


@pytest.fixture(scope="module")
def changed_run(main_job, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The main job of the edited copy on the extracts of the shared run: its folder."""
    shared, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    tmp = tmp_path_factory.mktemp("changed")
    project = edited_project(tmp / "project")
    env = dict(os.environ, PYTHONPATH=str(project), BLSU_RAW_DIR=str(shared / "raw"),
               BLSU_DB=str(tmp / "blsu.duckdb"), BLSU_RESULTS=str(tmp / "results"),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from blsu.cli import main; sys.exit(main())", "run",
         "--quiet"],
        env=env, cwd=project, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-5000:]
    return tmp


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_copy_runs_its_own_seeds(changed_run: Path) -> None:
    assert query(changed_run / "blsu.duckdb",
                 f"select report_category from seeds.feitcodes where feitcode = '{MOVED_CODE}'"
                 ) == [(NEW_CATEGORY,)]


def test_a_profile_label_reaches_the_report_and_the_figures(changed_run: Path) -> None:
    results = changed_run / "results"
    for name in ("report.html", "A1.svg", "A2.svg"):
        text = (results / name).read_text(encoding="utf-8")
        assert NEW_LABEL in text, name
        assert OLD_LABEL not in text, name


def test_a_moved_feitcode_counts_in_its_new_category(main_job, changed_run: Path) -> None:
    shared, _ = main_job
    victims_of_code = f"""
        select distinct rinpersoons, rinpersoon from staging.stg_cbs__police_registrations
        where offence_code = '{MOVED_CODE}' and role in ('A', 'S') and rinpersoons = 'R'
          and registration_date between date '2010-01-01' and date '2023-12-31'"""
    with_code = set(query(shared / "blsu.duckdb", victims_of_code))
    assert with_code, "the small extracts hold no registration of the moved code"
    flags = "select rinpersoons, rinpersoon, victim_overig from marts.fct_study_persons"
    before = {row[:2]: row[2] for row in query(shared / "blsu.duckdb", flags)}
    after = {row[:2]: row[2] for row in query(changed_run / "blsu.duckdb", flags)}
    assert after == {key: was or key in with_code for key, was in before.items()}
    assert after != before


def test_a_moved_lvb_window_changes_the_indicator_and_the_findings(changed_run: Path) -> None:
    db = changed_run / "blsu.duckdb"
    codes = ", ".join(f"'{row['code']}'" for row in read_csv(PROJECT_ROOT / "seeds" /
                                                              "lvb_codes.csv")
                      if row["source"] == "CIZ")
    qualifying = f"from staging.stg_cbs__care_indications where care_package_code in ({codes})"
    inside = f"decision_date between date '{CIZ_START}' and date '{NEW_CIZ_END}'"
    expected = set(query(db, f"select distinct rinpersoons, rinpersoon {qualifying} and {inside}"))
    flagged = {row[:2] for row in query(db, "select rinpersoons, rinpersoon, lvb_ciz "
                                            "from marts.fct_study_persons") if row[2]}
    study = set(query(db, "select rinpersoons, rinpersoon from marts.fct_study_persons"))
    assert flagged == expected & study
    outside = query(db, f"select count(*) {qualifying} and not coalesce({inside}, false)")[0][0]
    finding = "records with a qualifying code outside the observation window"
    assert query(db, "select n_records from marts.dq_findings where dataset = 'CIZ_2017_2021' "
                     f"and finding = '{finding}'") == [(outside,)]
    exported = [row for row in read_csv(changed_run / "results" / "dq_findings.csv")
                if row["dataset"] == "CIZ_2017_2021" and row["finding"] == finding]
    assert [float(row["n_records"]) for row in exported] == [
        DisclosureRules.from_project().record_count(outside)]
