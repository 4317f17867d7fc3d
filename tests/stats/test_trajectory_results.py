"""Trajectory results: peak-age ranges, the controlled cross table and agreement statistics."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules
from python_stats.reproduction import read_published, reproduction_table
from python_stats.trajectories import (
    TrajectoryMarts,
    agreement_statistics,
    cross_table,
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


def test_agreement_is_withheld_when_a_cell_of_its_table_is_withheld():
    # kappa and the adjusted Rand index of a table with a withheld cell would let anyone
    # solve for that cell from the shown cells
    stated = ["incidenteel"] * 23 + ["continu"] * 14
    estimated = ["incidenteel"] * 21 + ["continu"] * 2 + ["continu"] * 14
    stats = agreement_statistics(_marts(stated, estimated), DisclosureRules(5, 10))
    assert stats[["value", "ci_low", "ci_high"]].isna().all().all()


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
