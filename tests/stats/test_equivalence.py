"""The run's shortcuts give the very numbers of the straightforward computations.

Holm's adjustment, Cramer's V from a known chi-square and the bootstrap of case shares are each
set against the library call or the plain numpy expression they replace; group selection and
look-ups are checked on hand-made rows.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import association
from statsmodels.stats.multitest import multipletests

from python_stats.comparisons import career_frame
from python_stats.disclosure import DisclosureRules
from python_stats.effects import cramers_v
from python_stats.figures import Values
from python_stats.measures import (
    BOOTSTRAP_RESAMPLES,
    case_share_intervals,
    column_of,
    members,
    numbers,
    true_count,
)
from python_stats.reproduction import first_row
from python_stats.significance import chi_square, holm


def test_holm_equals_statsmodels_multipletests_to_the_last_bit() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 2, 3, 6, 12):
        p = rng.uniform(0, 0.6, size)
        p[: size // 3] = p[0]  # ties
        assert holm(p.tolist()) == multipletests(p, method="holm")[1].tolist()


def test_holm_caps_adjusted_p_values_at_one() -> None:
    # m = 3: 0.2 * 3 = 0.6, then max(0.6, 0.5 * 2) = 1.0, then max(1.0, 0.9) = 1.0
    assert holm([0.5, 0.2, 0.9]) == [1.0, 0.6000000000000001, 1.0]


def test_cramers_v_from_a_known_chi_square_equals_scipy_association() -> None:
    for table in (np.array([[762, 327, 468], [484, 239, 477]]),
                  np.array([[12, 30], [40, 41], [7, 55]])):
        statistic = chi_square(table).statistic
        direct = association(table, method="cramer", correction=False)
        assert cramers_v(table, statistic) == direct == cramers_v(table)


def hand_made_persons() -> pd.DataFrame:
    """Three offenders (two continu, one incidenteel), three controls, flags with nulls."""
    return pd.DataFrame({
        "study_group": ["blsu", "blsu", "blsu", "criminal_control", "noncriminal_control",
                        "criminal_control"],
        "profile": ["continu", "continu", "incidenteel", None, None, None],
        "recent_victim_3y": pd.array([True, None, False, None, None, None], dtype="boolean"),
        "n_victimisations": [3, 1, 4, 2, 0, 5],
        "age": [19.5, None, 22.0, None, None, None],
    })


def test_group_flags_count_true_and_non_null_rows_of_the_group() -> None:
    persons = hand_made_persons()
    assert true_count(column_of(persons, "continu", "recent_victim_3y")) == (1, 1)
    assert true_count(column_of(persons, "blsu", "recent_victim_3y")) == (1, 2)
    assert true_count(column_of(persons, "criminal_control", "recent_victim_3y")) == (0, 0)


def test_group_numbers_are_the_non_null_values_of_the_group_in_row_order() -> None:
    persons = hand_made_persons()
    assert numbers(column_of(persons, "criminal_control", "n_victimisations")).tolist() == [
        2.0, 5.0]
    assert numbers(column_of(persons, "blsu", "age")).tolist() == [19.5, 22.0]
    assert members(persons, "continu")["n_victimisations"].tolist() == [3, 1]


def test_unknown_group_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown group 'victims'"):
        members(hand_made_persons(), "victims")


def test_first_row_is_the_first_match_of_all_key_columns() -> None:
    frame = pd.DataFrame({"measure": ["a", "a", "b", "a"], "group": ["x", "y", "x", "y"],
                          "value": [1.0, 2.0, 3.0, 4.0]})
    assert first_row(frame, measure="a", group="y")["value"] == 2.0
    assert first_row(frame, measure="b", group="y") is None


def test_first_row_of_an_empty_table_without_columns_finds_nothing() -> None:
    assert first_row(pd.DataFrame(), measure="a", group="y") is None


def test_figure_values_take_the_first_row_and_nan_when_absent() -> None:
    table = pd.DataFrame({"measure": ["m", "m"], "group": ["blsu", "blsu"],
                          "value": [7.5, 9.0]})
    values = Values(table)
    assert values.get("m", "blsu") == 7.5
    assert math.isnan(values.get("m", "continu"))


def test_case_share_bootstrap_equals_one_resample_matrix_per_profile() -> None:
    careers = pd.DataFrame({"profile": ["continu", "incidenteel", "continu", "laat_piek",
                                        "vroeg_piek", "continu"],
                            "n_cases": [4, 1, 2, 3, 1, 6]})
    shares, exact = case_share_intervals(careers, seed=11, rules=DisclosureRules(round_base=1))
    cases = careers["n_cases"].to_numpy(float)
    idx = np.random.default_rng(11).integers(0, 6, size=(BOOTSTRAP_RESAMPLES, 6))
    mine = np.where(careers["profile"] == "continu", cases, 0.0)
    low, high = np.nanpercentile(mine[idx].sum(axis=1) / cases[idx].sum(axis=1), [2.5, 97.5])
    assert shares["continu"].estimate == 100 * 12 / 17
    assert exact["continu"] == Fraction(1200, 17)
    assert (shares["continu"].low, shares["continu"].high) == (100 * low, 100 * high)


def test_careers_are_selected_by_profile_as_offenders() -> None:
    careers = pd.DataFrame({"profile": ["continu", "laat_piek"], "n_cases": [2, 5]})
    assert numbers(column_of(career_frame(careers), "laat_piek", "n_cases")).tolist() == [5.0]
