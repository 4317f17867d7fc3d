"""The one rounding: half-up on the exact value, the same in the tables, the output check and
the report (python_stats.rounding)."""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules
from python_stats.effects import Interval
from python_stats.measures import Estimate
from python_stats.output_check import Checker
from python_stats.report_html import comparison_rows
from python_stats.rounding import half_up, half_up_text, significant, to_text
from python_stats.tables import controlled_row

RULES = DisclosureRules(round_base=1, min_cell=0)


def exact_halves(limit: int = 2000) -> list[tuple[int, int]]:
    """Every k/d (d <= limit) whose percentage has a 5 at the second decimal and nothing
    after it: 100 k / d = x.y5 exactly, a tie at one decimal."""
    return [(k, d) for d in range(1, limit + 1) for k in range(d + 1)
            if (10000 * k) % d == 0 and (10000 * k // d) % 10 == 5]


HALVES = exact_halves()


def test_there_are_exact_halves_to_round() -> None:
    assert (45, 80) in HALVES and (1, 2000) in HALVES
    assert len(HALVES) > 1000


def test_every_exact_half_rounds_up_in_the_tables_and_in_the_check() -> None:
    checker = Checker(RULES)
    wrong_table, wrong_check, even_passed = [], [], []
    for k, d in HALVES:
        estimate = Estimate("A1", "lvb_pct", "blsu", "pct", Interval(100 * k / d, 0.0, 100.0),
                            d, k, cells=(k, d - k), exact=Fraction(100 * k, d))
        value = controlled_row(estimate, RULES)["value"]
        up = (10000 * k // d + 5) // 10  # tenths of a percent, the half rounded up
        if to_text(value) != to_text(up / 10):
            wrong_table.append((k, d, value))
        checker.verdicts.clear()
        checker.share("t.csv", 1, "value", to_text(value), str(d), 100.0, 1, str(k))
        if checker.verdicts[-1].status != "shown":
            wrong_check.append((k, d))
        checker.share("t.csv", 1, "value", to_text((up - 1) / 10), str(d), 100.0, 1, str(k))
        if checker.verdicts[-1].status != "finding":
            even_passed.append((k, d))
    assert wrong_table == [] and wrong_check == [] and even_passed == []


def test_the_issue_share_45_of_80_is_56_3() -> None:
    assert half_up(Fraction(4500, 80), 1) == 56.3
    assert round(56.25, 1) == 56.2  # what Python's round() would have written


def test_floats_round_from_their_shortest_decimal() -> None:
    assert half_up(0.15, 1) == 0.2  # the binary float is 0.1499..., its decimal 0.15
    assert half_up(-0.125, 2) == -0.13  # ties away from zero
    assert half_up_text(-0.001, 2) == "0.00"  # no negative zero
    assert math.isnan(half_up(float("nan"), 1)) and half_up_text(None, 1) == ""
    assert significant(12345, 3) == 12300 and significant(0.00012345, 2) == 0.00012
    assert significant(9.996, 3) == 10.0


def test_written_numbers_are_the_rounded_decimals() -> None:
    assert [to_text(x) for x in (56.3, 25.0, 1.2e-05, -1234567.8)] == [
        "56.3", "25", "1.2e-05", "-1234567.8"]


@pytest.mark.parametrize(("low", "high", "shown"), [
    (12.497, 30.2, "12\u201330"),  # continu's share: 12.497 was shown as 13
    (37.490, 45.0, "37\u201345"),  # recent-eligible share: 37.490 was shown as 38
    (74.497, 80.0, "74\u201380"),  # violence among continu victims: 74.497 was shown as 75
])
def test_the_report_rounds_the_unrounded_interval_once(low: float, high: float,
                                                       shown: str) -> None:
    """The table's bounds are 12.5, 37.5 and 74.5 (one decimal); the report rounds the
    unrounded bounds, never those, to whole percentages."""
    row = {"figure": "A2", "measure": "victim_any_2010_2023", "group": "continu",
           "value": "70", "unit": "pct", "reproduced": "71", "ci_low": half_up(low, 1),
           "ci_high": half_up(high, 1), "ci_low_exact": low, "ci_high_exact": high,
           "inside_ci": True, "note": "", "published_significance": "",
           "reproduced_band": "", "agrees": ""}
    (found,) = comparison_rows(pd.DataFrame([row]), "en")
    assert found["interval"] == shown
    assert half_up(half_up(low, 1), 0) != half_up(low, 0)  # rounding twice would differ


def test_a_count_interval_in_the_report_is_the_tables_rounded_outwards() -> None:
    """A count's bounds are counts: the report shows them as the table does (multiples of the
    base, rounded outwards), not its unrounded Wilson bounds times n."""
    row = {"figure": "A2", "measure": "victims_n", "group": "blsu", "value": "466",
           "unit": "persons", "reproduced": "465", "ci_low": 440.0, "ci_high": 490.0,
           "ci_low_exact": 443.2, "ci_high_exact": 486.4, "inside_ci": True, "note": "",
           "published_significance": "", "reproduced_band": "", "agrees": ""}
    (found,) = comparison_rows(pd.DataFrame([row]), "en")
    assert found["interval"] == "440\u2013490"
