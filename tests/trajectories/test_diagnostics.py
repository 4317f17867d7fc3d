"""Adequacy diagnostics, agreement measures and profile naming on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gbtm.agreement import adjusted_rand_index, matched_accuracy
from gbtm.profiles import group_shapes, name_groups
from gbtm.selection import diagnostics


def test_avepp_and_occ_by_hand():
    post = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]])
    shares = np.array([0.5, 0.5])
    d = diagnostics(shares, post)
    assert d.avepp == pytest.approx([0.85, 0.65])
    # OCC = (AvePP / (1 - AvePP)) / (pi / (1 - pi)) = odds, as pi = 0.5
    assert d.occ == pytest.approx([0.85 / 0.15, 0.65 / 0.35])
    assert d.assigned_share == pytest.approx([0.5, 0.5])
    assert d.failures() == ["AvePP < 0.7", "OCC < 5"]


def test_small_group_fails_the_share_rules():
    post = np.array([[1.0, 0.0]] * 39 + [[0.0, 1.0]])
    d = diagnostics(np.array([0.97, 0.03]), post)
    assert d.failures() == ["share < 5%", "assigned share < 5%"]


def test_adjusted_rand_index_by_hand():
    # table [[2, 0], [1, 1]]: sum C(n_ij, 2) = 1, rows C(2,2)+C(2,2) = 2, cols C(3,2)+C(1,2) = 3,
    # expected = 2 * 3 / C(4,2) = 1, max = 2.5 -> ARI = (1 - 1) / (2.5 - 1) = 0
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])) == 0.0
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([5, 5, 3, 3])) == 1.0


def test_matched_accuracy_ignores_label_names():
    assert matched_accuracy(np.array([0, 0, 1, 1, 2]), np.array([2, 2, 0, 1, 1])) == 0.8


def _curve(group, peak, level, floor):
    ages = np.arange(12, 47)
    return pd.DataFrame(
        {
            "group": group,
            "age": ages,
            "expected": level * np.exp(-0.5 * ((ages - peak) / 4) ** 2) + floor,
        }
    )


@pytest.mark.parametrize("order", [[1, 2, 3, 4], [4, 3, 2, 1], [2, 4, 1, 3]])
def test_groups_are_named_by_shape_whatever_their_index(order):
    shapes = [(18, 1.0, 0.05), (28, 1.0, 0.05), (24, 0.05, 0.05), (25, 1.5, 1.0)]
    curves = pd.concat(_curve(g, *s) for g, s in zip(order, shapes, strict=True))
    names = name_groups(group_shapes(curves))
    assert [names[g] for g in order] == ["vroeg_piek", "laat_piek", "incidenteel", "continu"]


def test_groups_take_the_names_given_in_the_order_low_early_late_high():
    shapes = [(18, 1.0, 0.05), (28, 1.0, 0.05), (24, 0.05, 0.05), (25, 1.5, 1.0)]
    curves = pd.concat(_curve(g, *s) for g, s in enumerate(shapes, start=1))
    names = name_groups(group_shapes(curves), ("low", "early", "late", "high"))
    assert names == {1: "early", 2: "late", 3: "low", 4: "high"}
    with pytest.raises(ValueError, match="four names"):
        name_groups(group_shapes(curves), ("low", "high"))


def test_peak_range_is_where_the_curve_is_at_least_half_its_peak():
    shapes = group_shapes(_curve(1, 20, 1.0, 0.0))
    # exp(-0.5 (d/4)^2) >= 0.5  <=>  |d| <= 4.71
    assert shapes.loc[0, ["peak_age", "peak_range_from", "peak_range_to"]].tolist() == [20, 16, 24]
