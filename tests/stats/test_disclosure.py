"""Disclosure control: rounding, suppression and the refusal of person-level frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules, is_suppressed, round_count
from python_stats.effects import Interval
from python_stats.export import DisclosureError, ResultsWriter, check_table
from python_stats.measures import Estimate
from python_stats.tables import controlled_row

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
