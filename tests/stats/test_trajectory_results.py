"""Trajectory results: peak-age ranges, the controlled cross table and agreement statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules
from python_stats.reproduction import read_published, reproduction_table
from python_stats.trajectories import (
    TrajectoryMarts,
    agreement_statistics,
    cross_table,
    diagonal_bounds,
    peak_age_ranges,
)


def _marts(stated: list[str], estimated: list[str]) -> TrajectoryMarts:
    groups = pd.DataFrame({
        "n_groups": 4, "trajectory_group": [1, 2, 3, 4],
        "profile": ["incidenteel", "vroeg_piek", "laat_piek", "vroeg_piek"],
        "share": [0.4, 0.3, 0.2, 0.1], "peak_range_from": [12.0, 15.0, 22.0, 13.0],
        "peak_range_to": [40.0, 22.0, 33.0, 18.0],
    })
    profiles = pd.DataFrame({"stated_profile": stated, "estimated_profile": estimated})
    return TrajectoryMarts(pd.DataFrame(), groups, pd.DataFrame(), pd.DataFrame(), profiles)


def test_peak_age_range_comes_from_the_largest_group_of_a_profile():
    ranges = peak_age_ranges(_marts([], []))
    assert ranges == {"incidenteel": "12-40", "vroeg_piek": "15-22", "laat_piek": "22-33"}


def test_peak_age_ranges_become_reproduced_numbers():
    published = read_published()
    rows = reproduction_table(published, pd.DataFrame(), pd.DataFrame(),
                              {"vroeg_piek": "15-22", "laat_piek": "23-31"})
    peak = rows[rows["measure"] == "peak_age_range"].set_index("group")["reproduced"]
    assert peak.to_dict() == {"vroeg_piek": "15-22", "laat_piek": "23-31"}


def test_cross_table_rounds_and_suppresses_small_cells():
    stated = ["incidenteel"] * 23 + ["continu"] * 14
    estimated = ["incidenteel"] * 21 + ["continu"] * 2 + ["continu"] * 14
    table = cross_table(_marts(stated, estimated), DisclosureRules(5, 10))
    cell = table.set_index(["stated_profile", "estimated_profile"])["n"]
    assert math.isnan(cell[("incidenteel", "continu")])  # 2 < 10: suppressed
    # the only other non-zero cell of its row and column: withheld with it, or the row total
    # (the stated profile's size, shown elsewhere) minus the shown cells gives the 2 back
    assert math.isnan(cell[("incidenteel", "incidenteel")])
    assert math.isnan(cell[("continu", "continu")])
    # no row or column holds exactly one withheld cell
    for key in ("stated_profile", "estimated_profile"):
        assert set(table.groupby(key)["n"].apply(lambda n: n.isna().sum())) <= {0, 2, 3, 4}
    assert cell[("vroeg_piek", "vroeg_piek")] == 0  # a true zero stays zero


def test_cross_table_rounds_cells_that_pass():
    stated = ["incidenteel"] * 23 + ["continu"] * 14
    estimated = ["incidenteel"] * 23 + ["continu"] * 14
    cell = cross_table(_marts(stated, estimated), DisclosureRules(5, 10)).set_index(
        ["stated_profile", "estimated_profile"])["n"]
    assert cell[("incidenteel", "incidenteel")] == 25  # 23 rounded to 5
    assert cell[("continu", "continu")] == 15  # 14 rounded


def test_agreement_beside_withheld_cells_comes_from_shown_numbers_only():
    # cells 21 / 2 / 14 (incidenteel/incidenteel, incidenteel/continu, continu/continu) are
    # withheld with the zero continu/incidenteel as the complement of its column. Rounded
    # margins: rows 25 and 15, columns 20 and 15, total 35, p_e = (25*20 + 15*15) / 35^2.
    # incidenteel/incidenteel is at least 25 - 15 (its row after continu/incidenteel's most),
    # continu/continu at least 0, at most 20 and 15: the diagonal lies in 10..35 and kappa in
    # (10/35 - p_e) / (1 - p_e) = -0.75 .. 1. Kappa itself (0.89), the agreement and the
    # adjusted Rand index are withheld: the cell of 2 cannot be worked back.
    stated = ["incidenteel"] * 23 + ["continu"] * 14
    estimated = ["incidenteel"] * 21 + ["continu"] * 2 + ["continu"] * 14
    stats = agreement_statistics(_marts(stated, estimated), DisclosureRules(5, 10)).set_index(
        "statistic")
    assert stats.loc[["cohens_kappa", "adjusted_rand_index", "percent_agreement"],
                     ["value", "ci_low", "ci_high"]].isna().all().all()
    assert tuple(stats.loc["cohens_kappa_range", ["ci_low", "ci_high"]]) == (-0.75, 1.0)


def test_diagonal_bounds_by_hand():
    # rows 50/35/30, columns 45/40/30; withheld (0,1), (0,2), (1,0), (1,1).
    # left of rows: 10, 25, 0; of columns: 5, 30, 0. Most: (0,1) 10, (0,2) 0, (1,0) 5,
    # (1,1) 25. Least of (1,1): row 25 - 5 = 20, column 30 - 10 = 20. Shown diagonal 40 + 20.
    nan = math.nan
    cells = np.array([[40, nan, nan], [nan, nan, 10], [0, 10, 20]])
    low, high = diagonal_bounds(cells, np.array([50.0, 35, 30]), np.array([45.0, 40, 30]))
    assert (low, high) == (80.0, 85.0)


def test_kappa_and_adjusted_rand_index_by_hand():
    # 2 x 2 agreement: 40 a/a, 10 a/b, 10 b/a, 40 b/b -> p_o = 0.8, p_e = 0.5, kappa = 0.6
    # (the counts are multiples of 5, so the rounded table is the table)
    stated = ["incidenteel"] * 50 + ["continu"] * 50
    estimated = ["incidenteel"] * 40 + ["continu"] * 10 + ["incidenteel"] * 10 + ["continu"] * 40
    stats = agreement_statistics(_marts(stated, estimated), DisclosureRules(5, 10)).set_index(
        "statistic")["value"]
    assert stats["cohens_kappa"] == pytest.approx(0.6)
    assert stats["percent_agreement"] == 80
    # ARI: sum C(n_ij,2) = 2*C(40,2) + 2*C(10,2) = 1650; rows = cols = 2*C(50,2) = 2450;
    # expected = 2450^2 / C(100,2) = 1212.63; ARI = (1650 - 1212.63) / (2450 - 1212.63) = 0.35
    assert stats["adjusted_rand_index"] == pytest.approx(0.35)
