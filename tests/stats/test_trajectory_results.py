"""Trajectory results: peak-age ranges, the controlled cross table and agreement statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules
from python_stats.marts import PROFILES
from python_stats.reproduction import read_published, reproduction_table
from python_stats.trajectories import (
    MARGINS_NOT_SHOWN,
    ShownMargins,
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
    # the zeros of its row and column are withheld with it, so the row total (the stated
    # profile's size, shown elsewhere) minus the shown cells gives back only their sum
    assert cell[("incidenteel", "incidenteel")] == 20
    assert cell[("continu", "continu")] == 15
    # no row or column holds exactly one withheld cell
    for key in ("stated_profile", "estimated_profile"):
        assert set(table.groupby(key)["n"].apply(lambda n: n.isna().sum())) <= {0, 2, 3, 4}
    # a zero states that no one of a stated profile has that estimated profile: withheld
    assert math.isnan(cell[("vroeg_piek", "vroeg_piek")])
    assert math.isnan(cell[("continu", "incidenteel")])


def test_cross_table_rounds_cells_that_pass():
    stated = ["incidenteel"] * 23 + ["continu"] * 14
    estimated = ["incidenteel"] * 23 + ["continu"] * 14
    cell = cross_table(_marts(stated, estimated), DisclosureRules(5, 10)).set_index(
        ["stated_profile", "estimated_profile"])["n"]
    assert cell[("incidenteel", "incidenteel")] == 25  # 23 rounded to 5
    assert cell[("continu", "continu")] == 15  # 14 rounded


def test_agreement_beside_withheld_cells_comes_from_shown_numbers_only():
    # cells 21 (incidenteel/incidenteel), 2 (incidenteel/continu) and 14 (continu/continu);
    # the 2 and every zero are withheld, so each line holds two or more withheld cells and
    # 21 and 14 are shown, rounded to 20 and 15. Rounded margins: rows 25 and 15, columns 20
    # and 15 (21 and 16), total 35 (37). The withheld diagonal cells lie in rows and columns
    # of size 0: the diagonal is 35 of 35, p_e = (25*20 + 15*15) / 35^2 and kappa is 1 with
    # the agreement 100% (the true 35 of 37 cannot be worked back); the Rand index, which
    # needs every cell, is withheld.
    stated = ["incidenteel"] * 23 + ["continu"] * 14
    estimated = ["incidenteel"] * 21 + ["continu"] * 2 + ["continu"] * 14
    shown = ShownMargins({"incidenteel": 25, "continu": 15}, {"incidenteel": 20, "continu": 15},
                         35)
    stats = agreement_statistics(_marts(stated, estimated), DisclosureRules(5, 10),
                                 shown).set_index("statistic")
    assert stats.loc["cohens_kappa", "value"] == 1.0
    assert stats.loc["percent_agreement", "value"] == 100
    assert math.isnan(stats.loc["adjusted_rand_index", "value"])


def test_agreement_beside_withheld_cells_is_withheld_unless_the_margins_are_those_shown():
    # the same table, but the estimated profiles' sizes shown elsewhere are 25 and 10 (e.g.
    # groups counted over other persons): kappa from the cross table's margins would not be the
    # kappa an output checker recomputes from the shown sizes, so none is shown
    stated = ["incidenteel"] * 23 + ["continu"] * 14
    estimated = ["incidenteel"] * 21 + ["continu"] * 2 + ["continu"] * 14
    shown = ShownMargins({"incidenteel": 25, "continu": 15}, {"incidenteel": 25, "continu": 10},
                         35)
    stats = agreement_statistics(_marts(stated, estimated), DisclosureRules(5, 10),
                                 shown).set_index("statistic")
    assert stats["value"].isna().all()
    assert stats.loc["cohens_kappa", "basis"] == MARGINS_NOT_SHOWN


def test_diagonal_bounds_by_hand():
    # rows 50/35/30, columns 45/40/30; withheld (0,1), (0,2), (1,0), (1,1).
    # left of rows: 10, 25, 0; of columns: 5, 30, 0. Most: (0,1) 10, (0,2) 0, (1,0) 5,
    # (1,1) 25. Least of (1,1): row 25 - 5 = 20, column 30 - 10 = 20. Shown diagonal 40 + 20.
    nan = math.nan
    cells = np.array([[40, nan, nan], [nan, nan, 10], [0, 10, 20]])
    low, high = diagonal_bounds(cells, np.array([50.0, 35, 30]), np.array([45.0, 40, 30]))
    assert (low, high) == (80.0, 85.0)


def test_kappa_and_adjusted_rand_index_by_hand():
    # every cell shown: 40 on the diagonal, 10 elsewhere (multiples of 5, so the rounded table
    # is the table). Margins 70, total 280: p_o = 160/280, p_e = 4 * 70^2 / 280^2 = 0.25,
    # kappa = (0.5714 - 0.25) / 0.75 = 0.43; agreement 57%.
    stated, estimated = [], []
    for a in PROFILES:
        for b in PROFILES:
            size = 40 if a == b else 10
            stated += [a] * size
            estimated += [b] * size
    stats = agreement_statistics(_marts(stated, estimated), DisclosureRules(5, 10)).set_index(
        "statistic")["value"]
    assert stats["cohens_kappa"] == pytest.approx(0.43)
    assert stats["percent_agreement"] == 57
    # ARI: sum C(n_ij,2) = 4*C(40,2) + 12*C(10,2) = 3660; rows = cols = 4*C(70,2) = 9660;
    # expected = 9660^2 / C(280,2) = 2389.03; ARI = (3660 - 2389.03) / (9660 - 2389.03) = 0.17
    assert stats["adjusted_rand_index"] == pytest.approx(0.17)


def test_kappa_is_withheld_where_it_is_undefined():
    # everyone stated and estimated incidenteel: the expected agreement is 1, kappa 0/0
    stats = agreement_statistics(_marts(["incidenteel"] * 40, ["incidenteel"] * 40),
                                 DisclosureRules(5, 10)).set_index("statistic")
    assert stats["value"].isna().all()
    assert "undefined" in stats.loc["cohens_kappa", "basis"]
