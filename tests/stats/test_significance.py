"""Significance tests pinned to reference values from R and to hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from python_stats.effects import cramers_v
from python_stats.exact import TooLargeError, freeman_halton
from python_stats.significance import (
    adjusted_residuals,
    chi_square,
    choose_share_test,
    fisher_2x2,
    fisher_monte_carlo,
    holm,
    share_test,
    significance_band,
    supported_band,
    welch_anova,
    welch_t,
)

R_TABLE = np.array([[762, 327, 468], [484, 239, 477]])


def test_chi_square_matches_r_chisq_test() -> None:
    # R: chisq.test(matrix(c(762,484,327,239,468,477), 2)) -> X-squared = 30.07, df = 2
    result = chi_square(R_TABLE)
    assert result.statistic == pytest.approx(30.07015, abs=1e-5)
    assert result.df == 2
    assert result.p_value == pytest.approx(2.954e-07, rel=1e-3)


def test_adjusted_standardised_residuals_match_r_stdres() -> None:
    # R: chisq.test(...)$stdres, first row
    residuals = adjusted_residuals(R_TABLE)
    assert residuals[0] == pytest.approx([4.5020535, 0.6994517, -5.3159455], abs=1e-6)


def test_cramers_v_matches_r() -> None:
    assert cramers_v(R_TABLE) == pytest.approx(0.1044, abs=5e-5)


def test_fisher_exact_matches_r_fisher_test() -> None:
    # R: fisher.test(matrix(c(3,1,1,3), 2)) -> p = 0.4857, odds ratio 6.408309
    result = fisher_2x2(np.array([[3, 1], [1, 3]]))
    assert result.p_value == pytest.approx(0.4857, abs=5e-5)
    assert result.statistic == pytest.approx(6.408309, abs=1e-4)


def test_chi_square_used_when_every_expected_count_is_at_least_five() -> None:
    assert choose_share_test(np.array([[5, 5], [5, 5]])) == "chi-square"
    assert choose_share_test(R_TABLE) == "chi-square"


def test_fisher_used_for_2x2_with_an_expected_count_below_five() -> None:
    assert choose_share_test(np.array([[3, 1], [1, 3]])) == "fisher"
    assert share_test(np.array([[3, 1], [1, 3]]), seed=1).test == "fisher"


def test_exact_freeman_halton_used_for_larger_tables_with_small_expected_counts() -> None:
    table = np.array([[2, 98], [0, 100], [0, 100]])
    assert choose_share_test(table) == "fisher-freeman-halton"
    result = share_test(table, seed=11)
    assert result.test == "fisher-freeman-halton"
    # 2 events among 300: the three tables with both events in one row are the least likely,
    # each with probability C(100,2) / C(300,2) = 4950 / 44850
    assert result.p_value == pytest.approx(3 * 4950 / 44850, rel=1e-12)
    assert math.isnan(result.p_se)


def test_freeman_halton_matches_r_fisher_test_on_the_job_satisfaction_table() -> None:
    # R: fisher.test(matrix(c(1,2,1,0, 3,3,6,1, 10,10,14,9, 6,7,12,11), 4, 4)) -> p = 0.7827
    table = np.array([1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11]).reshape(4, 4).T
    assert freeman_halton(table) == pytest.approx(0.7827, abs=5e-5)


def test_freeman_halton_of_a_2x2_table_equals_fishers_exact_test() -> None:
    table = np.array([[10, 2], [3, 15]])
    assert freeman_halton(table) == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


def test_monte_carlo_beyond_the_enumeration_budget_reports_its_error() -> None:
    table = np.array([[2, 98], [0, 100], [0, 100]])
    with pytest.raises(TooLargeError):
        freeman_halton(table, budget=0)
    result = fisher_monte_carlo(table, seed=11)
    assert result.p_value == fisher_monte_carlo(table, seed=11).p_value
    assert result.p_se == pytest.approx(math.sqrt(result.p_value * (1 - result.p_value) / 9999))


def test_no_band_is_claimed_that_the_monte_carlo_error_straddles() -> None:
    # p = 0.0009 with a standard error of 0.0003: the 99% interval reaches 0.0017, so the
    # test supports p < 0.01, not p < 0.001
    assert supported_band(0.0009, 0.0003) == "<0.01"
    assert supported_band(0.0009) == "<0.001"
    assert supported_band(0.0002, 0.00005) == "<0.001"


def test_empty_column_is_dropped_before_testing() -> None:
    # no events at all: nothing to test
    assert share_test(np.array([[0, 10], [0, 12]]), seed=1).test == "not testable"


def test_welch_t_matches_hand_computation() -> None:
    # x = 1..5 (mean 3, var 2.5), y = 2,4,..,12 (mean 7, var 14)
    # se^2 = 2.5/5 + 14/6 = 2.833333; t = -4 / sqrt(2.833333) = -2.376354
    # df = 2.833333^2 / (0.5^2/4 + 2.333333^2/5) = 8.027778 / 1.151389 = 6.972256
    result = welch_t(np.arange(1, 6), np.arange(2, 13, 2))
    assert result.statistic == pytest.approx(-2.376354, abs=1e-6)
    assert result.df == pytest.approx(6.972256, abs=1e-5)
    assert result.p_value == pytest.approx(2 * stats.t.sf(2.376354, 6.972256), rel=1e-5)


def test_welch_anova_of_two_groups_equals_welch_t_squared() -> None:
    a, b = np.arange(1, 6), np.arange(2, 13, 2)
    anova, t = welch_anova([a, b]), welch_t(a, b)
    assert anova.statistic == pytest.approx(t.statistic**2, rel=1e-9)
    assert anova.df2 == pytest.approx(t.df, rel=1e-9)
    assert anova.p_value == pytest.approx(t.p_value, rel=1e-9)


def test_holm_matches_r_p_adjust() -> None:
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") -> 0.03 0.06 0.06 0.02
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_leaves_untestable_comparisons_out_of_the_family() -> None:
    adjusted = holm([0.01, math.nan, 0.04])
    assert adjusted[0] == pytest.approx(0.02)
    assert math.isnan(adjusted[1])
    assert adjusted[2] == pytest.approx(0.04)


@pytest.mark.parametrize(
    ("p", "band"),
    [(0.0009, "<0.001"), (0.001, "<0.01"), (0.0099, "<0.01"), (0.049, "<0.05"), (0.05, "n.s.")],
)
def test_significance_band_uses_strict_thresholds(p: float, band: str) -> None:
    assert significance_band(p) == band
