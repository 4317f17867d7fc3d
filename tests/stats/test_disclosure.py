"""Disclosure control: rounding, suppression and the refusal of person-level frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from python_stats.disclosure import (
    DisclosureRules,
    is_suppressed,
    round_count,
    secondary_suppression,
)
from python_stats.effects import Interval
from python_stats.export import DisclosureError, ResultsWriter, check_table
from python_stats.measures import Estimate, share_estimate
from python_stats.tables import controlled_row, estimates_table

RULES = DisclosureRules(round_base=5, min_cell=10)


@pytest.mark.parametrize(("count", "rounded"), [(0, 0), (2, 0), (3, 5), (12, 10), (13, 15),
                                                (465, 465), (467, 465), (468, 470)])
def test_counts_round_to_nearest_multiple_of_five(count: int, rounded: int) -> None:
    assert round_count(count, 5) == rounded


def test_halves_round_up_with_base_ten() -> None:
    assert round_count(15, 10) == 20
    assert round_count(14, 10) == 10


def test_cell_below_min_cell_is_suppressed_and_at_min_cell_is_not() -> None:
    assert is_suppressed((9, 630), 10)
    assert not is_suppressed((10, 630), 10)


def share(count: int, n: int) -> Estimate:
    return Estimate("A3", "victim_type_pct_among_victims_zeden", "blsu", "pct",
                    Interval(100 * count / n, 1.0, 5.0), n, count, cells=(count, n))


def test_share_with_numerator_below_min_cell_is_suppressed_with_its_interval() -> None:
    row = controlled_row(share(9, 465), RULES)
    assert row["suppressed"] is True
    assert math.isnan(row["value"]) and math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    assert math.isnan(row["n_events"])
    assert row["n"] == 465


def test_share_with_denominator_below_min_cell_hides_the_denominator_too() -> None:
    row = controlled_row(share(0, 8), RULES)
    assert row["suppressed"] is True
    assert math.isnan(row["n"])


def test_published_counts_are_rounded() -> None:
    row = controlled_row(share(467, 631), RULES)
    assert (row["n"], row["n_events"]) == (630, 465)


def test_person_level_frame_cannot_be_written(tmp_path) -> None:
    persons = pd.DataFrame({"rinpersoons": ["R"], "rinpersoon": ["000000001"], "n": [5]})
    writer = ResultsWriter(tmp_path, RULES)
    with pytest.raises(DisclosureError, match="rinpersoon"):
        writer.table(persons, "persons.csv")
    assert not (tmp_path / "persons.csv").exists()


def test_person_key_is_refused_in_any_letter_case() -> None:
    with pytest.raises(DisclosureError, match="person key"):
        check_table(pd.DataFrame({"RINPERSOON": ["000000001"]}), RULES, "x.csv")
    with pytest.raises(DisclosureError, match="person key"):
        check_table(pd.DataFrame({"matched_rinpersoon": ["000000001"]}), RULES, "x.csv")


def test_unrounded_count_is_refused_naming_column_and_row() -> None:
    frame = pd.DataFrame({"group": ["blsu", "criminal_control"], "n": [630, 467]})
    with pytest.raises(DisclosureError, match=r"column 'n' row 1 holds 467"):
        check_table(frame, RULES, "table.csv")


def test_minimum_and_maximum_columns_are_refused() -> None:
    with pytest.raises(DisclosureError, match="minimum or maximum"):
        check_table(pd.DataFrame({"age_max": [64.0]}), RULES, "x.csv")


def test_rounded_and_empty_counts_pass() -> None:
    check_table(pd.DataFrame({"n": [630.0, math.nan], "victims_n": [465, 0]}), RULES, "x.csv")


def test_parameters_come_from_the_dbt_vars_and_a_run_may_override_them() -> None:
    assert DisclosureRules.from_project() == DisclosureRules(round_base=5, min_cell=10)
    assert DisclosureRules.from_project(min_cell=20) == DisclosureRules(5, 20)


@pytest.mark.parametrize(("min_cell", "places"), [(10, 1), (20, 1), (100, 2), (5, 0)])
def test_means_have_as_many_decimals_as_the_minimum_cell_allows(min_cell: int,
                                                                places: int) -> None:
    assert DisclosureRules(5, min_cell).mean_decimals == places


def test_data_quality_counts_are_zero_rounded_or_withheld() -> None:
    assert RULES.record_count(0) == 0
    assert math.isnan(RULES.record_count(7))
    assert RULES.record_count(12) == 10


def test_share_with_a_small_complement_is_suppressed() -> None:
    # 465 of 470: only 5 persons without the attribute
    est = Estimate("A3", "m", "blsu", "pct", Interval(98.9, 97.0, 99.5), 470, 465,
                   cells=(465, 5))
    assert controlled_row(est, RULES)["suppressed"] is True


def test_a_lone_suppressed_part_takes_the_smallest_shown_part_with_it() -> None:
    hidden = {"incidenteel": True, "vroeg_piek": False, "laat_piek": False, "continu": False}
    sizes = {"incidenteel": 4, "vroeg_piek": 20, "laat_piek": 12, "continu": 15}
    assert secondary_suppression(hidden, sizes) == {"laat_piek"}
    two = {**hidden, "laat_piek": True}
    assert secondary_suppression(two, sizes) == set()


def test_shares_and_intervals_are_computed_from_the_rounded_counts() -> None:
    frame = pd.DataFrame({"flag": [True] * 46 + [False] * 584})
    est = share_estimate("A1", "lvb_pct", "blsu", frame, "flag", RULES)
    assert est.interval.estimate == pytest.approx(100 * 45 / 630)
    assert est.cells == (46, 584)
    row = controlled_row(est, RULES)
    assert (row["value"], row["n_events"], row["n"]) == (7.1, 45, 630)


def lvb(group: str, count: int, n: int) -> Estimate:
    return Estimate("A1", "lvb_pct", group, "pct", Interval(100 * count / n, 1.0, 9.0), n, count,
                    cells=(count, n - count))


def test_table_withholds_a_second_profile_beside_a_shown_total() -> None:
    estimates = [lvb("blsu", 45, 630), lvb("incidenteel", 7, 227), lvb("vroeg_piek", 20, 176),
                 lvb("laat_piek", 11, 132), lvb("continu", 17, 95)]
    table = estimates_table(estimates, RULES).set_index("group")
    assert table["suppressed"].to_dict() == {"blsu": False, "incidenteel": True,
                                             "vroeg_piek": False, "laat_piek": True,
                                             "continu": False}
    assert "by difference" in table.loc["laat_piek", "note"]
    assert table.loc["laat_piek", "n"] == 130
