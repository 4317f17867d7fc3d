"""`blsu check-output`: a clean results folder passes, one planted leak of each kind does not."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules
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


def test_the_statistics_results_pass(clean: Path) -> None:
    verdicts = check_folder(clean, RULES)
    assert findings(verdicts) == []
    assert {v.status for v in verdicts} == {"shown", "suppressed"}
    report = pd.read_csv(clean / "output_check.csv")
    assert len(report) == len(verdicts)
    assert set(report.columns) == {"file", "row", "column", "value", "status", "rule"}


@pytest.mark.parametrize("leak", list(LEAKS))
def test_a_planted_leak_is_found(leak: str, clean: Path, tmp_path: Path) -> None:
    copy = tmp_path / "results"
    shutil.copytree(clean, copy)
    name, change = LEAKS[leak]
    edit(copy, name, change)
    found = findings(check_folder(copy, RULES))
    # a suppressed profile also withdraws the tests and reproduced numbers that rest on it
    assert name in {v.file for v in found}, leak


def test_the_command_exits_non_zero_on_a_leak_and_zero_without(clean: Path,
                                                               tmp_path: Path) -> None:
    ok = subprocess.run([BLSU, "check-output", str(clean)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    copy = tmp_path / "results"
    shutil.copytree(clean, copy)
    edit(copy, "table_A1.csv", unrounded_count)
    leak = subprocess.run([BLSU, "check-output", str(copy)], capture_output=True, text=True)
    assert leak.returncode == 1
    assert "table_A1.csv: row 1 n_events='46'" in leak.stdout


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
