"""Reproduction rows: the published statements beside the tests, one row per published row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fixture_db import person, write_marts

from python_stats import run
from python_stats.reproduction import (
    Statement,
    agreement,
    format_number,
    read_published,
    reproduction_table,
)


def write_published(folder: Path, figures: str, statements: str) -> pd.DataFrame:
    (folder / "f.csv").write_text(
        "figure,measure,group,value,unit,text_measure,text_low,text_high,note\n" + figures)
    (folder / "s.csv").write_text(
        "figure,measure,group,statement,comparison,band\n" + statements)
    return read_published(folder / "f.csv", folder / "s.csv")


def test_statements_of_a_row_come_in_their_order(tmp_path: Path) -> None:
    published = write_published(
        tmp_path, "A3,m,blsu,47,pct,,,,\nA3,m,criminal_control,35,pct,,,,\n",
        "A3,m,blsu,2,profiles,<0.05\nA3,m,blsu,1,blsu_vs_controls,<0.001\n")
    assert published["statements"].tolist() == [
        [Statement("blsu_vs_controls", "<0.001"), Statement("profiles", "<0.05")], []]


def test_a_profile_against_the_controls_names_the_row_group(tmp_path: Path) -> None:
    published = write_published(tmp_path, "A1,m,laat_piek,,ratio,,,,\n",
                                "A1,m,laat_piek,1,profile_vs_controls,n.s.\n")
    assert published["statements"].iloc[0] == [
        Statement("profile_vs_controls:laat_piek", "n.s.")]


def test_project_copy_has_a_statement_for_every_tested_band() -> None:
    published = read_published()
    statements = [s for row in published["statements"] for s in row]
    assert len(statements) == 25
    assert {s.band for s in statements} <= {"<0.001", "<0.01", "<0.05", "n.s."}


NO_TEXT = {"text_measure": "", "text_low": "", "text_high": "", "note": "", "statements": []}


def test_values_round_half_up_like_the_report() -> None:
    assert format_number(2.25, 1) == "2.3"
    assert format_number(73.5, 0) == "74"
    assert format_number(float("nan"), 0) == ""


def hand_made_persons() -> pd.DataFrame:
    """20 offenders (10 incidenteel, 10 continu), 20 criminal and 20 non-criminal controls.

    LVB: 6 offenders (1 incidenteel, 5 continu), 4 criminal, 2 non-criminal controls.
    Victims: 15 offenders (each 3 victimisations), 10 criminal (2), 5 non-criminal (1).
    """
    rows = []
    for i in range(20):
        profile = "incidenteel" if i < 10 else "continu"
        rows.append(person(rinpersoon=f"{i:09d}", study_group="blsu", profile=profile,
                           has_lvb=(i == 0 or i >= 15), is_victim=i < 15,
                           n_victimisations=3 if i < 15 else 0, victim_geweld=i < 15,
                           first_ht_date=pd.Timestamp("2014-05-01"),
                           recent_victim_eligible=True, recent_victim_3y=i < 5))
    for i in range(20):
        rows.append(person(rinpersoon=f"{100 + i:09d}", study_group="criminal_control",
                           has_lvb=i < 4, is_victim=i < 10, n_victimisations=2 if i < 10 else 0))
        rows.append(person(rinpersoon=f"{200 + i:09d}", study_group="noncriminal_control",
                           has_lvb=i < 2, is_victim=i < 5, n_victimisations=1 if i < 5 else 0))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def hand_made_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    folder = tmp_path_factory.mktemp("hand")
    db = write_marts(folder / "hand.duckdb", hand_made_persons())
    run(db, folder / "results", round_base=1, min_cell=0, progress=False)
    return pd.read_csv(folder / "results" / "reproduction.csv", dtype=str,
                       keep_default_na=False), folder / "results"


def test_every_published_row_has_a_reproduction_row_in_order(hand_made_run) -> None:
    reproduction, _ = hand_made_run
    published = read_published()
    assert len(reproduction) == len(published) == 61
    keys = ["figure", "measure", "group", "value"]
    assert reproduction[keys].values.tolist() == published[keys].values.tolist()


def reproduced(reproduction: pd.DataFrame, figure: str, measure: str, group: str) -> str:
    hit = reproduction[(reproduction["figure"] == figure) & (reproduction["measure"] == measure)
                       & (reproduction["group"] == group)]
    return hit["reproduced"].iloc[0]


def test_lvb_ratio_is_the_share_over_the_non_criminal_share(hand_made_run) -> None:
    reproduction, _ = hand_made_run
    # (6/20) / (2/20) = 3.0; (4/20) / (2/20) = 2.0; continu (5/10) / (2/20) = 5.0
    assert reproduced(reproduction, "A1", "lvb_ratio_vs_noncriminal", "blsu") == "3.0"
    assert reproduced(reproduction, "A1", "lvb_ratio_vs_noncriminal", "criminal_control") == "2.0"
    assert reproduced(reproduction, "A1", "lvb_ratio_vs_noncriminal", "continu") == "5.0"
    assert reproduced(reproduction, "A1", "lvb_ratio_vs_criminal", "blsu") == "1.5"
    assert reproduced(reproduction, "A1", "lvb_ratio_vs_noncriminal",
                      "noncriminal_control") == "1.0"


def test_victim_shares_counts_and_means_per_group(hand_made_run) -> None:
    reproduction, _ = hand_made_run
    assert reproduced(reproduction, "A2", "victim_any_2010_2023", "blsu") == "75"
    assert reproduced(reproduction, "A2", "victim_any_2010_2023", "noncriminal_control") == "25"
    assert reproduced(reproduction, "A2", "victims_n", "criminal_control") == "10"
    # every victim has 3 victimisations: the mean would give each one's count, so it is withheld
    assert reproduced(reproduction, "A2", "mean_victimisations_among_victims", "blsu") == ""
    # eligible: all 20 offenders; recent victims 5 of 10 incidenteel, 0 of 10 continu
    assert reproduced(reproduction, "A2", "recent_eligible_n", "blsu") == "20"
    assert reproduced(reproduction, "A2", "victim_recent_3y_before_first_ht",
                      "incidenteel") == "50"
    assert reproduced(reproduction, "A2", "victim_recent_3y_before_first_ht", "continu") == "0"


def test_peak_age_range_is_left_empty_with_the_reason(hand_made_run) -> None:
    reproduction, _ = hand_made_run
    rows = reproduction[reproduction["measure"] == "peak_age_range"]
    assert (rows["reproduced"] == "").all()
    assert rows["note"].str.contains("not reproducible").all()


def test_published_value_inside_interval_is_flagged(hand_made_run) -> None:
    reproduction, _ = hand_made_run
    row = reproduction[(reproduction["measure"] == "victim_any_2010_2023")
                       & (reproduction["group"] == "blsu")].iloc[0]
    # published 74 inside the Wilson interval of 15/20 = [53.1, 88.8]
    assert float(row["ci_low"]) == pytest.approx(53.1, abs=0.05)
    assert float(row["ci_high"]) == pytest.approx(88.8, abs=0.05)
    assert row["inside_ci"] == "True"


def test_published_threshold_holds_for_a_smaller_reproduced_p_value() -> None:
    from python_stats.reproduction import statement_holds

    assert statement_holds("<0.01", "<0.001")
    assert statement_holds("<0.01", "<0.01")
    assert not statement_holds("<0.01", "<0.05")
    assert not statement_holds("<0.05", "n.s.")


def test_not_significant_holds_only_for_a_non_significant_reproduction() -> None:
    from python_stats.reproduction import statement_holds

    assert statement_holds("n.s.", "n.s.")
    assert not statement_holds("n.s.", "<0.05")
    assert not statement_holds("<0.05", "")


def test_reproduced_number_is_rounded_once_from_the_unrounded_estimate() -> None:
    # 2.1498 is 2.1 at one decimal; rounding the table's 2.15 again would give 2.2
    table = pd.DataFrame([{"figure": "profiles", "measure": "mean_cases_before_first_ht",
                           "group": "incidenteel", "unit": "cases", "value": 2.15,
                           "ci_low": 1.9, "ci_high": 2.4, "n": 225.0, "n_events": float("nan"),
                           "suppressed": False, "note": "", "value_exact": 2.1498}])
    published = pd.DataFrame([{"figure": "profiles", "measure": "mean_cases_before_first_ht",
                               "group": "incidenteel", "value": "2.0", "unit": "cases",
                               **NO_TEXT}])
    row = reproduction_table(published, table, pd.DataFrame()).iloc[0]
    assert row["reproduced"] == "2.1"
    assert bool(row["inside_ci"])


def test_suppressed_estimate_is_counted_as_withheld_by_disclosure_control() -> None:
    table = pd.DataFrame([{"figure": "A1", "measure": "lvb_pct", "group": "laat_piek",
                           "unit": "pct", "value": float("nan"), "ci_low": float("nan"),
                           "ci_high": float("nan"), "n": 130.0, "n_events": float("nan"),
                           "suppressed": True, "note": "suppressed", "value_exact": float("nan")}])
    published = pd.DataFrame([{"figure": "A1", "measure": "lvb_pct", "group": "laat_piek",
                               "value": "3", "unit": "pct", **NO_TEXT}])
    rep = reproduction_table(published, table, pd.DataFrame())
    assert rep.iloc[0]["reproduced"] == ""
    assert agreement(rep).numbers_suppressed == 1
