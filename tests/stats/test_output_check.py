"""`blsu check-output`: a clean results folder passes, one planted leak of each kind does not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules
from python_stats.magnitudes import PersonData
from python_stats.marts import PROFILES
from python_stats.output_check import check_folder, findings

BLSU = str(Path(sys.executable).with_name("blsu"))
RULES = DisclosureRules(round_base=5, min_cell=10)


def edit(folder: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    path = folder / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False)


def first(frame: pd.DataFrame, **where: str) -> int:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return int(frame.index[mask][0])


def unrounded_count(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[first(frame, measure="lvb_pct", group="blsu"), "n_events"] = "46"
    return frame


def share_of_an_unrounded_count(frame: pd.DataFrame) -> pd.DataFrame:
    i = first(frame, measure="lvb_pct", group="blsu")
    k, n = float(frame.loc[i, "n_events"]), float(frame.loc[i, "n"])
    frame.loc[i, "value"] = f"{100 * (k + 1) / n:.1f}"
    return frame


def precise_balance_share(frame: pd.DataFrame) -> pd.DataFrame:
    i = first(frame, covariate="sex_woman")
    n = float(frame.loc[i, "n_blsu"])
    frame.loc[i, "mean_blsu"] = f"{13 / n:.4f}"
    return frame


def effect_of_a_suppressed_group(frame: pd.DataFrame) -> pd.DataFrame:
    i = first(frame, suppressed="True")
    frame.loc[i, "effect_size"] = "0.12"
    return frame


def small_record_count(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, "n_records"] = "5"
    return frame


def lone_suppressed_profile(frame: pd.DataFrame) -> pd.DataFrame:
    for _, rows in frame.groupby("measure"):
        groups = dict(zip(rows["group"], rows.index, strict=True))
        if all(p in groups for p in ("blsu", *PROFILES)) and all(
                frame.loc[groups[p], "n_events"] != "" for p in ("blsu", *PROFILES)):
            i = groups[PROFILES[0]]
            frame.loc[i, ["value", "ci_low", "ci_high", "n_events"]] = ""
            frame.loc[i, "suppressed"] = "True"
            return frame
    raise AssertionError("no measure with every profile shown")


def precise_mean(frame: pd.DataFrame) -> pd.DataFrame:
    i = first(frame, measure="mean_cases_before_first_ht", group="continu")
    frame.loc[i, "value"] = "21.96"
    return frame


def person_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(rinpersoon="000000001")


def maximum(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(age_max="64")


def reproduced_suppressed_number(frame: pd.DataFrame) -> pd.DataFrame:
    i = first(frame, suppressed="True")
    frame.loc[i, "reproduced"] = "3"
    return frame


def small_complement(frame: pd.DataFrame) -> pd.DataFrame:
    i = first(frame, measure="lvb_pct", group="blsu")
    frame.loc[i, "n_events"] = frame.loc[i, "n"]
    return frame


LEAKS = {
    "unrounded count": ("table_A1.csv", unrounded_count),
    "share of an unrounded count": ("table_A1.csv", share_of_an_unrounded_count),
    "share precise enough to give the count": ("balance.csv", precise_balance_share),
    "effect size of a suppressed group": ("tests.csv", effect_of_a_suppressed_group),
    "data-quality count below the minimum": ("dq_findings.csv", small_record_count),
    "total minus shown parts": ("table_A3.csv", lone_suppressed_profile),
    "mean with more decimals than the rule": ("table_profiles.csv", precise_mean),
    "person key": ("table_A2.csv", person_key),
    "maximum": ("table_profiles.csv", maximum),
    "reproduced number of a suppressed cell": ("reproduction.csv",
                                               reproduced_suppressed_number),
    "complement below the minimum": ("table_A1.csv", small_complement),
}


@pytest.fixture(scope="module")
def clean(simulated_run) -> Path:
    _, results = simulated_run
    return results


@pytest.fixture(scope="module")
def data(simulated_db: Path) -> PersonData:
    return PersonData.load(simulated_db)


def test_the_statistics_results_pass(clean: Path, data: PersonData) -> None:
    verdicts = check_folder(clean, RULES, data)
    assert findings(verdicts) == []
    assert {v.status for v in verdicts} == {"shown", "suppressed"}
    report = pd.read_csv(clean / "output_check.csv")
    assert len(report) == len(verdicts)
    assert set(report.columns) == {"file", "row", "column", "value", "status", "rule"}


@pytest.mark.parametrize("leak", list(LEAKS))
def test_a_planted_leak_is_found(leak: str, clean: Path, tmp_path: Path,
                                 data: PersonData) -> None:
    copy = tmp_path / "results"
    shutil.copytree(clean, copy)
    name, change = LEAKS[leak]
    edit(copy, name, change)
    found = findings(check_folder(copy, RULES, data))
    # a suppressed profile also withdraws the tests and reproduced numbers that rest on it
    assert name in {v.file for v in found}, leak


def test_the_command_exits_non_zero_on_a_leak_and_zero_without(clean: Path, tmp_path: Path,
                                                               simulated_db: Path) -> None:
    warehouse = ["--warehouse", str(simulated_db)]
    ok = subprocess.run([BLSU, "check-output", str(clean), *warehouse], capture_output=True,
                        text=True)
    assert ok.returncode == 0, ok.stdout
    assert f"magnitudes checked against {simulated_db}" in ok.stdout
    copy = tmp_path / "results"
    shutil.copytree(clean, copy)
    edit(copy, "table_A1.csv", unrounded_count)
    leak = subprocess.run([BLSU, "check-output", str(copy), *warehouse], capture_output=True,
                          text=True)
    assert leak.returncode == 1
    assert "table_A1.csv: row 1 n_events='46'" in leak.stdout


def test_without_a_warehouse_a_magnitude_is_not_verified(clean: Path, tmp_path: Path) -> None:
    """No warehouse, no verdict on a mean: the command says so and does not pass it."""
    env = {**os.environ, "BLSU_DB": str(tmp_path / "none.duckdb")}
    proc = subprocess.run([BLSU, "check-output", str(clean)], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 1
    assert "not verified: a magnitude" in proc.stdout
    assert "no warehouse: magnitudes not verified (--warehouse FILE)" in proc.stdout
    named = subprocess.run([BLSU, "check-output", str(clean), "--warehouse",
                            str(tmp_path / "missing.duckdb")], capture_output=True, text=True)
    assert named.returncode == 2
    assert "does not exist" in named.stderr


def test_a_mean_against_the_persons_values(clean: Path, tmp_path: Path,
                                           data: PersonData) -> None:
    """A shown mean must be the persons' mean rounded once, and pass the magnitude rules."""
    copy = tmp_path / "results"
    shutil.copytree(clean, copy)

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        i = first(frame, measure="mean_age_first_ht", group="continu")
        frame.loc[i, "value"] = f"{float(frame.loc[i, 'value']) + 0.1:.1f}"
        return frame

    edit(copy, "table_profiles.csv", change)
    found = findings(check_folder(copy, RULES, data))
    assert [(v.file, v.column) for v in found] == [("table_profiles.csv", "value")]
    assert "rounded once" in found[0].rule
    dominated = PersonData(data.persons, data.careers.assign(
        age_first_ht=[1e6 if i < 2 else 20.0 for i in range(len(data.careers))]))
    verdicts = check_folder(clean, RULES, dominated)
    assert any("dominance" in v.rule for v in findings(verdicts))


def test_a_hand_made_table_is_checked_by_its_column_names(tmp_path: Path) -> None:
    pd.DataFrame({"region": ["a", "b"], "n": ["630", "95"], "victims_n": ["45", "15"],
                  "victims_pct": ["7.1", "15.8"]}).to_csv(tmp_path / "mine.csv", index=False)
    assert findings(check_folder(tmp_path, RULES)) == []
    pd.DataFrame({"region": ["a"], "n": ["630"], "victims_pct": ["7.3"], "odds": ["1.7"]}
                 ).to_csv(tmp_path / "mine.csv", index=False)
    rules = {v.column: v.rule for v in findings(check_folder(tmp_path, RULES))}
    assert set(rules) == {"victims_pct", "odds"}


def test_a_folder_without_tables_is_an_error(tmp_path: Path) -> None:
    proc = subprocess.run([BLSU, "check-output", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "holds no CSV tables" in proc.stderr


def trajectory_tables(folder: Path, agreement_shown: bool) -> None:
    """Hand-made trajectory tables as python_stats.trajectories writes them."""
    pd.DataFrame({"k": ["2", "3"], "parameters": ["11", "17"], "loglik": ["-13532.6", "-13177.1"],
                  "bic_nagin": ["-13568", "-13231.9"], "bic_person_ages": ["-13584.8", "-13257.9"],
                  "lowest_avepp": ["0.97", ""], "lowest_occ": ["12.7", ""],
                  "smallest_share_pct": ["23.9", ""], "is_admissible": ["True", "False"],
                  "inadmissible_because": ["", "assigned share < 5%"],
                  "is_selected": ["True", "False"], "starts": ["50", "50"],
                  "distinct_optima": ["2", "6"]}).to_csv(folder / "trajectory_model_selection.csv",
                                                         index=False)
    pd.DataFrame({"k": ["2", "2"], "group": ["1", "2"], "profile": ["incidenteel", "continu"],
                  "n_assigned": ["480", "150"], "n_total": ["630", "630"],
                  "assigned_share_pct": ["76.2", "23.8"], "share_pct": ["75.1", "24.9"],
                  "share_se_pct": ["2.1", "2.1"], "avepp": ["0.97", "0.98"],
                  "occ": ["12.7", "140.2"], "peak_age": ["26", "21"],
                  "peak_age_range": ["12-37", "15-34"],
                  "expected_cases_at_peak": ["0.21", "2.59"]}).to_csv(
        folder / "trajectory_groups.csv", index=False)
    pd.DataFrame({"group": ["1", "1"], "profile": ["incidenteel", "incidenteel"],
                  "age": ["12", "13"], "expected": ["0.29", ""], "lower": ["0.19", ""],
                  "upper": ["0.46", ""], "n_observed": ["35", ""], "band_from": ["", ""],
                  "band_to": ["", ""], "observed_mean": ["", ""]}).to_csv(
        folder / "table_trajectories.csv", index=False)
    cells = ["205", "15", "15", "10", "15", "145", "10", "10", "10", "10", "120", "10", "10",
             "10", "10", "70"] if agreement_shown else \
        ["205", "", "", "", "", "145", "", "", "", "", "120", "", "", "", "", ""]
    pd.DataFrame({"stated_profile": [s for s in PROFILES for _ in PROFILES],
                  "estimated_profile": list(PROFILES) * 4, "n": cells}).to_csv(
        folder / "trajectory_agreement_table.csv", index=False)
    value = ["0.78", "0.62", "86"] if agreement_shown else ["", "", ""]
    pd.DataFrame({"statistic": ["cohens_kappa", "adjusted_rand_index", "percent_agreement"],
                  "value": value, "ci_low": [value[0] and "0.74", "", ""],
                  "ci_high": [value[0] and "0.82", "", ""]}).to_csv(
        folder / "trajectory_agreement.csv", index=False)


@pytest.mark.parametrize("agreement_shown", [True, False])
def test_the_trajectory_tables_pass(tmp_path: Path, agreement_shown: bool) -> None:
    trajectory_tables(tmp_path, agreement_shown)
    # the persons behind the AvePP of groups 1 and 2: posterior probabilities 0.90-0.99
    ages = pd.DataFrame({"rinpersoons": "R", "rinpersoon": [f"{i:09d}" for i in range(24)],
                         "trajectory_group": [1] * 12 + [2] * 12,
                         "posterior_probability": [0.9 + (i % 10) / 100 for i in range(24)],
                         "age": 20, "n_cases": 1, "exposure": 1.0})
    verdicts = check_folder(tmp_path, RULES, PersonData(pd.DataFrame(), pd.DataFrame(), ages))
    assert findings(verdicts) == []
    shown = {(v.file, v.column) for v in verdicts if v.status == "shown"}
    assert ("trajectory_model_selection.csv", "bic_nagin") in shown
    assert (("trajectory_agreement.csv", "value") in shown) == agreement_shown


def kappa_beside_a_withheld_cell(folder: Path) -> None:
    trajectory_tables(folder, agreement_shown=True)
    edit(folder, "trajectory_agreement_table.csv",
         lambda f: f.assign(n=f["n"].where(~f.index.isin([1, 4]), "")))


def full_table_kappa_beside_a_withheld_cell(folder: Path) -> None:
    # kappa of the unrounded table (it would give the withheld cells back) where the shown
    # numbers give no kappa: not the kappa of the shown diagonal and margins
    trajectory_tables(folder, agreement_shown=False)
    edit(folder, "trajectory_agreement.csv", lambda f: f.assign(
        value=["0.78", "", ""], ci_low=["0.74", "", ""], ci_high=["0.82", "", ""]))


def lone_withheld_cross_cell(folder: Path) -> None:
    trajectory_tables(folder, agreement_shown=False)
    edit(folder, "trajectory_agreement_table.csv", lambda f: f.assign(
        n=["205", "", "15", "0", "15", "145", "10", "10", "10", "10", "120", "0", "0",
           "10", "0", "70"]))


def curve_where_few_are_observed(folder: Path) -> None:
    trajectory_tables(folder, agreement_shown=False)
    edit(folder, "table_trajectories.csv", lambda f: f.assign(observed_mean=["0.3", "0.4"]))


def precise_observed_mean(folder: Path) -> None:
    trajectory_tables(folder, agreement_shown=False)
    edit(folder, "table_trajectories.csv", lambda f: f.assign(observed_mean=["0.34", ""]))


def lone_withheld_group(folder: Path) -> None:
    trajectory_tables(folder, agreement_shown=False)
    edit(folder, "trajectory_groups.csv", lambda f: f.assign(
        n_assigned=["480", ""], assigned_share_pct=["76.2", ""], share_pct=["75.1", ""],
        share_se_pct=["2.1", ""], avepp=["0.97", ""], occ=["12.7", ""], peak_age=["26", ""],
        expected_cases_at_peak=["0.21", ""]))


def unrounded_assigned_count(folder: Path) -> None:
    trajectory_tables(folder, agreement_shown=False)
    edit(folder, "trajectory_groups.csv", lambda f: f.assign(n_assigned=["481", "150"]))


TRAJECTORY_LEAKS = {
    "the Rand index of a table with withheld cells": (
        "trajectory_agreement.csv", kappa_beside_a_withheld_cell),
    "kappa beside withheld cells, not of the shown numbers": (
        "trajectory_agreement.csv", full_table_kappa_beside_a_withheld_cell),
    "the only withheld cell of a row": (
        "trajectory_agreement_table.csv", lone_withheld_cross_cell),
    "curve where fewer than the minimum are observed": (
        "table_trajectories.csv", curve_where_few_are_observed),
    "observed mean with more decimals than the rule": (
        "table_trajectories.csv", precise_observed_mean),
    "the only withheld group": ("trajectory_groups.csv", lone_withheld_group),
    "unrounded assigned count": ("trajectory_groups.csv", unrounded_assigned_count),
}


@pytest.mark.parametrize("leak", list(TRAJECTORY_LEAKS))
def test_a_planted_trajectory_leak_is_found(leak: str, tmp_path: Path) -> None:
    name, plant = TRAJECTORY_LEAKS[leak]
    plant(tmp_path)
    assert name in {v.file for v in findings(check_folder(tmp_path, RULES))}, leak


def test_an_observed_mean_and_a_zero_cell_are_checked_against_the_persons(tmp_path: Path
                                                                          ) -> None:
    """An observed mean over a band of ages where one person has nearly all the cases is a
    finding (dominance); so is a zero shown in the profile cross table."""
    trajectory_tables(tmp_path, agreement_shown=True)
    edit(tmp_path, "table_trajectories.csv", lambda f: f.assign(
        band_from=["12", ""], band_to=["12", ""], observed_mean=["0.8", ""]))
    ages = pd.DataFrame({"rinpersoons": "R", "rinpersoon": [f"{i:09d}" for i in range(24)],
                         "trajectory_group": [1] * 12 + [2] * 12,
                         "posterior_probability": [0.9 + (i % 10) / 100 for i in range(24)],
                         "age": 12, "n_cases": [9] + [0] * 10 + [1] + [1] * 12,
                         "exposure": 1.0})
    data = PersonData(pd.DataFrame(), pd.DataFrame(), ages)
    found = {(v.file, v.column): v.rule for v in findings(check_folder(tmp_path, RULES, data))}
    assert "dominance" in found[("table_trajectories.csv", "observed_mean")]
    edit(tmp_path, "table_trajectories.csv", lambda f: f.assign(observed_mean=["", ""]))
    edit(tmp_path, "trajectory_agreement_table.csv", lambda f: f.assign(
        n=["0" if i == 3 else n for i, n in enumerate(f["n"])]))
    found = {(v.file, v.column): v.rule for v in findings(check_folder(tmp_path, RULES, data))}
    assert list(found) == [("trajectory_agreement_table.csv", "n")]
    assert "zero cell" in found[("trajectory_agreement_table.csv", "n")]
