"""Attacks on the exported results of the main job, on the default and the small extracts.

Each attack (tests/stats/attacks.py) tries to work back a suppressed or unrounded count from
what `blsu run` exported; the tests fail when one succeeds. `blsu check-output` must pass the
same folders. A leaky copy (shares and intervals from the true counts, as before disclosure
control covered derived numbers) shows that the attacks do recover counts when they can.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from attacks import (
    attack_balance,
    attack_differences,
    attack_effect_sizes,
    attack_means,
    attack_shares,
    attack_trajectories,
    read,
)
from statsmodels.stats.proportion import proportion_confint

from python_stats.comparisons import TABLE_ROWS
from python_stats.marts import GROUPS, PROFILES, VICTIM_TYPES

BLSU = str(Path(sys.executable).with_name("blsu"))
Truth = dict[tuple[str, str, str], tuple[int, int]]


def run_main_job(tmp: Path, size: str) -> Path:
    """`blsu run` on generated extracts of one size; the folder holding raw, db and results."""
    env = dict(os.environ, BLSU_RAW_DIR=str(tmp / "raw"), BLSU_DB=str(tmp / "blsu.duckdb"),
               BLSU_RESULTS=str(tmp / "results"), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    proc = subprocess.run([BLSU, "run", "--size", size, "--quiet"], env=env, cwd=tmp,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return tmp


@pytest.fixture(scope="module", params=["default", "small"])
def job(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_main_job(tmp_path_factory.mktemp(f"attack_{request.param}"), request.param)


def marts(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        return (con.sql("select * from marts.fct_study_persons").df(),
                con.sql("select * from marts.fct_offender_careers").df())


def members(persons: pd.DataFrame, group: str) -> pd.DataFrame:
    if group in GROUPS:
        return persons[persons["study_group"] == group]
    return persons[(persons["study_group"] == "blsu") & (persons["profile"] == group)]


def true_counts(db: Path) -> Truth:
    """The true (k, n) behind every share and count row of the tables, computed with pandas
    from the person-level mart (independently of python_stats.measures)."""
    persons, careers = marts(db)
    out: Truth = {}
    for group in (*GROUPS, *PROFILES):
        rows = members(persons, group)
        victims = rows[rows["is_victim"]]
        out[("A1", "lvb_pct", group)] = (int(rows["has_lvb"].sum()), len(rows))
        out[("A2", "victim_any_2010_2023", group)] = (int(rows["is_victim"].sum()), len(rows))
        out[("A2", "victims_n", group)] = out[("A2", "victim_any_2010_2023", group)]
        out[("A2", "mean_victimisations_among_victims", group)] = (0, len(victims))
        for kind in VICTIM_TYPES:
            out[("A3", f"victim_type_pct_among_victims_{kind}", group)] = (
                int(victims[f"victim_{kind}"].sum()), len(victims))
        if group == "blsu" or group in PROFILES:
            eligible = rows[rows["recent_victim_eligible"].fillna(False).astype(bool)]
            out[("A2", "victim_recent_3y_before_first_ht", group)] = (
                int(eligible["recent_victim_3y"].fillna(False).astype(bool).sum()),
                len(eligible))
    offenders = members(persons, "blsu")
    for profile in PROFILES:
        out[("profiles", "share", profile)] = (int((offenders["profile"] == profile).sum()),
                                               len(offenders))
        mine = careers[careers["profile"] == profile]
        out[("profiles", "starts_with_ht_pct", profile)] = (
            int(mine["starts_with_ht"].fillna(False).astype(bool).sum()),
            int(mine["starts_with_ht"].notna().sum()))
        out[("profiles", "mean_cases_before_first_ht", profile)] = (
            0, int(mine["n_cases_before_first_ht"].notna().sum()))
    return out


def balance_truth(db: Path) -> dict[tuple[str, str], tuple[int, int]]:
    persons, _ = marts(db)
    out = {}
    for group in GROUPS:
        rows = members(persons, group)
        out[("sex_woman", group)] = (int((rows["sex"] == "2").sum()), len(rows))
        generation = rows["migration_generation"].astype("string").fillna("unknown")
        generation = generation.where(generation.isin(["0", "1", "2"]), "unknown")
        for level in ("0", "1", "2", "unknown"):
            out[(f"migration_generation_{level}", group)] = (int((generation == level).sum()),
                                                            len(rows))
    return out


def trajectory_truth(db: Path) -> tuple[dict[tuple[str, str], int], dict[int, int]]:
    """Stated x estimated profile counts of the offenders and persons per reported group."""
    with duckdb.connect(str(db), read_only=True) as con:
        cross = con.sql(
            "select stated_profile, estimated_profile, count(*) from marts.fct_study_persons "
            "where study_group = 'blsu' and estimated_profile is not null group by all"
        ).fetchall()
        groups = con.sql(
            "select trajectory_group, count(*) from intermediate.int_trajectory_assignments "
            "group by all").fetchall()
    return ({(s, e): int(n) for s, e, n in cross}, {int(g): int(n) for g, n in groups})


def every_attack(results: Path, db: Path) -> list:
    truth = true_counts(db)
    return [*attack_shares(results, truth), *attack_balance(results, balance_truth(db)),
            *attack_effect_sizes(results, truth, TABLE_ROWS),
            *attack_differences(results, truth), *attack_means(results, truth),
            *attack_trajectories(results, *trajectory_truth(db))]


def test_no_attack_recovers_a_count(job: Path) -> None:
    recovered = every_attack(job / "results", job / "blsu.duckdb")
    assert recovered == [], recovered[:10]


def test_the_agreement_statistics_are_those_of_the_shown_cross_table(job: Path) -> None:
    """Kappa and the adjusted Rand index, when shown, are functions of shown numbers: with
    every cell shown, of the rounded cells; with a cell withheld, kappa (or its range) of the
    shown diagonal, the rounded margins (the stated profiles' sizes in table_profiles.csv, the
    persons assigned in trajectory_groups.csv) and bounds on the withheld diagonal cells from
    them, and the Rand index (which needs every cell) withheld."""
    from statsmodels.stats.inter_rater import cohens_kappa

    from python_stats.trajectories import diagonal_bounds

    results = job / "results"
    table = read(results, "trajectory_agreement_table.csv")
    stats = read(results, "trajectory_agreement.csv").set_index("statistic")
    cells = table["n"].replace("", "nan").astype(float).to_numpy().reshape(4, 4)
    if not np.isnan(cells).any():
        assert float(stats.loc["cohens_kappa", "value"]) == pytest.approx(
            cohens_kappa(cells).kappa, abs=0.005 + 1e-9)
        return
    assert stats.loc["adjusted_rand_index", "value"] == ""
    profiles = read(results, "table_profiles.csv").query("measure == 'share'")
    groups = read(results, "trajectory_groups.csv")
    if (profiles["n_events"] == "").any() or (groups["n_assigned"] == "").any():
        assert (stats[["value", "ci_low", "ci_high"]] == "").all().all()  # a margin withheld
        return
    rows = profiles.set_index("group")["n_events"].astype(float).reindex(PROFILES).to_numpy()
    cols = (groups.assign(n=groups["n_assigned"].astype(float)).groupby("profile")["n"].sum()
            .reindex(PROFILES, fill_value=0.0).to_numpy())
    total = float(groups["n_total"].iloc[0])
    p_e = rows @ cols / total**2
    low, high = diagonal_bounds(cells, rows, cols)
    kappa = [(d / total - p_e) / (1 - p_e) for d in (low, high)]
    if low == high:
        assert float(stats.loc["cohens_kappa", "value"]) == pytest.approx(kappa[0], abs=0.005)
    else:
        assert stats.loc["cohens_kappa", "value"] == ""
        shown = stats.loc["cohens_kappa_range", ["ci_low", "ci_high"]].astype(float)
        assert tuple(shown) == pytest.approx(tuple(kappa), abs=0.005)


def test_check_output_passes_the_main_jobs_results(job: Path) -> None:
    proc = subprocess.run([BLSU, "check-output", str(job / "results"), "--warehouse",
                           str(job / "blsu.duckdb")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert " 0 finding(s) in " in proc.stdout


@pytest.mark.parametrize("job", ["default"], indirect=True)
def test_the_attacks_recover_counts_from_shares_of_true_counts(job: Path, tmp_path: Path
                                                               ) -> None:
    """Shares and Wilson intervals of the true counts at one decimal (the old export) give the
    counts back: the attacks are not blind."""
    leaky = tmp_path / "results"
    shutil.copytree(job / "results", leaky)
    truth = true_counts(job / "blsu.duckdb")
    frame = read(leaky, "table_A3.csv")
    for i, row in frame.iterrows():
        key = (row["figure"], row["measure"], row["group"])
        if row["value"] == "" or key not in truth:
            continue
        k, n = truth[key]
        low, high = proportion_confint(k, n, method="wilson")
        frame.loc[i, ["value", "ci_low", "ci_high"]] = [
            f"{v:.1f}" for v in np.round(100 * np.array([k / n, low, high]), 1)]
    frame.to_csv(leaky / "table_A3.csv", index=False)
    recovered = attack_shares(leaky, truth)
    assert any(r.where.startswith("table_A3.csv") for r in recovered)
