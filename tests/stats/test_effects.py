"""Effect sizes and intervals against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from python_stats.effects import (
    cohens_h,
    count_interval,
    hedges_g,
    mean_interval,
    prevalence_ratio,
    wilson_interval,
)

Z = 1.959963984540054


def wilson_by_formula(x: int, n: int) -> tuple[float, float]:
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def test_wilson_interval_of_zero_out_of_ten_matches_r_binom() -> None:
    # R: binom::binom.confint(0, 10, methods = "wilson") -> upper 0.2775328
    ci = wilson_interval(0, 10)
    assert ci.low == pytest.approx(0.0, abs=1e-12)
    assert ci.high == pytest.approx(0.2775328, abs=1e-7)


def test_wilson_interval_of_published_victim_share_matches_formula() -> None:
    ci = wilson_interval(465, 630)
    low, high = wilson_by_formula(465, 630)
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)
    assert ci.estimate == pytest.approx(465 / 630)


def test_count_interval_is_share_interval_times_n() -> None:
    ci = count_interval(465, 630)
    low, high = wilson_by_formula(465, 630)
    assert (ci.low, ci.high) == pytest.approx((630 * low, 630 * high))


def test_prevalence_ratio_has_log_scale_wald_interval() -> None:
    # 20/100 vs 10/100: RR = 2, SE(log RR) = sqrt(1/20 - 1/100 + 1/10 - 1/100) = 0.3605551
    ci = prevalence_ratio(20, 100, 10, 100)
    assert ci.estimate == pytest.approx(2.0)
    assert ci.low == pytest.approx(2 * math.exp(-Z * 0.3605551), rel=1e-6)
    assert ci.high == pytest.approx(2 * math.exp(Z * 0.3605551), rel=1e-6)


def test_prevalence_ratio_with_no_reference_cases_is_not_estimable() -> None:
    ci = prevalence_ratio(5, 100, 0, 100)
    assert math.isnan(ci.estimate)
    assert "not estimable" in ci.note


def test_hedges_g_matches_hand_computation() -> None:
    # pooled var = (4*2.5 + 5*14)/9 = 8.888889; d = -4/2.981424 = -1.341641
    # J = Gamma(4.5) / (sqrt(4.5) Gamma(4)) = 11.631728 / 12.727922 = 0.913875
    g = hedges_g(np.arange(1, 6), np.arange(2, 13, 2))
    assert g == pytest.approx(-1.341641 * 0.913875, abs=1e-5)


def test_cohens_h_of_half_against_quarter() -> None:
    # 2 asin(sqrt(.5)) - 2 asin(sqrt(.25)) = pi/2 - pi/3 = pi/6
    assert cohens_h(0.5, 0.25) == pytest.approx(math.pi / 6)


def test_mean_interval_is_a_t_interval() -> None:
    # 1..5: mean 3, sd 1.581139, t(0.975, 4) = 2.776445 -> 3 +- 1.963243
    ci = mean_interval(np.arange(1, 6))
    assert ci.estimate == 3
    assert (ci.low, ci.high) == pytest.approx((3 - 1.963243, 3 + 1.963243), abs=1e-5)
