"""Significance tests behind the report's footnotes.

Shares: Pearson's chi-square test without continuity correction when every expected count is at
least 5 (Cochran's rule); otherwise an exact test: Fisher's exact test for 2 x 2 tables and, for
larger tables, the Freeman-Halton extension of Fisher's test by exact enumeration
(python_stats.exact) while the enumeration is cheap, and beyond that a Monte Carlo p-value
(scipy.stats.fisher_exact with a seeded MonteCarloMethod) with its standard error. A Monte Carlo
p-value claims only the band that its whole 99% Monte Carlo interval lies in (the weaker band
when the interval straddles a threshold).

Means: Welch's t-test for pairs (scipy's ttest_ind defaults to Student's equal-variance test; we
pass equal_var=False because the groups' variances of victimisation counts differ). Across more
than two groups Welch's one-way ANOVA (statsmodels anova_oneway, use_var='unequal'): the report's
footnotes test differences in *means*, which Kruskal-Wallis does not test (it tests stochastic
dominance), and Welch's ANOVA keeps its level under unequal variances and group sizes; with more
than 50 persons per group the skew of counts matters little for a test of means.

Pairwise families get Holm-adjusted p-values beside the raw ones (the step-down arithmetic of
statsmodels' multipletests(method='holm'), done here in numpy: multipletests runs a full garbage
collection on every call, which costs more than all the tests together).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats.contingency import expected_freq, odds_ratio
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.oneway import anova_oneway

from python_stats.exact import TooLargeError, freeman_halton

MIN_EXPECTED = 5.0
MONTE_CARLO_RESAMPLES = 9999
MONTE_CARLO_Z = 2.576  # the 99% interval of a Monte Carlo p-value
BAND_LIMITS = ((0.001, "<0.001"), (0.01, "<0.01"), (0.05, "<0.05"))


@dataclass(frozen=True)
class Outcome:
    """The result of one significance test."""

    test: str
    statistic: float
    df: float
    p_value: float
    min_expected: float = math.nan
    df2: float = math.nan
    p_se: float = math.nan  # Monte Carlo standard error of the p-value (NaN when exact)

    @property
    def band(self) -> str:
        """The significance band this test supports (see `supported_band`)."""
        return supported_band(self.p_value, self.p_se)


def significance_band(p_value: float) -> str:
    """The report's threshold band for a p-value: '<0.001', '<0.01', '<0.05' or 'n.s.'."""
    if p_value is None or math.isnan(p_value):
        return ""
    for limit, band in BAND_LIMITS:
        if p_value < limit:
            return band
    return "n.s."


def supported_band(p_value: float, p_se: float = math.nan) -> str:
    """The band of a p-value; for a Monte Carlo p-value the band of the upper end of its 99%
    interval, so that no band is claimed that the Monte Carlo error straddles."""
    if p_se is None or math.isnan(p_se) or math.isnan(p_value):
        return significance_band(p_value)
    return significance_band(min(1.0, p_value + MONTE_CARLO_Z * p_se))


def drop_empty_margins(table: np.ndarray) -> np.ndarray:
    """Drop rows and columns whose total is zero: they carry no information for the test."""
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0]
    return table[:, table.sum(axis=0) > 0]


def choose_share_test(table: np.ndarray) -> str:
    """'chi-square' if every expected count is >= 5, else 'fisher' or 'fisher-freeman-halton'."""
    table = drop_empty_margins(table)
    if table.shape[0] < 2 or table.shape[1] < 2:
        return "not testable"
    if expected_freq(table).min() >= MIN_EXPECTED:
        return "chi-square"
    return "fisher" if table.shape == (2, 2) else "fisher-freeman-halton"


def chi_square(table: np.ndarray) -> Outcome:
    """Pearson's chi-square test of independence, no continuity correction."""
    res = stats.chi2_contingency(table, correction=False)
    return Outcome(
        "chi-square", float(res.statistic), float(res.dof), float(res.pvalue),
        float(res.expected_freq.min()),
    )


def adjusted_residuals(table: np.ndarray) -> np.ndarray:
    """Adjusted standardised residuals (Haberman): which cells drive a chi-square result."""
    return np.asarray(Table(np.asarray(table, dtype=float)).standardized_resids)


def fisher_2x2(table: np.ndarray) -> Outcome:
    """Fisher's exact test (two-sided); the statistic is the conditional MLE of the odds ratio.

    scipy's fisher_exact reports the sample odds ratio; R's fisher.test and most reports give
    the conditional maximum-likelihood estimate, which odds_ratio(kind='conditional') computes.
    """
    res = stats.fisher_exact(table, alternative="two-sided")
    conditional = odds_ratio(table, kind="conditional").statistic
    return Outcome(
        "fisher", float(conditional), math.nan, float(res.pvalue),
        float(expected_freq(table).min()),
    )


def fisher_rxc(table: np.ndarray, seed: int) -> Outcome:
    """Fisher's r x c test: exact enumeration when cheap, else Monte Carlo with its error."""
    try:
        p_value = freeman_halton(table)
    except TooLargeError:
        return fisher_monte_carlo(table, seed)
    return Outcome("fisher-freeman-halton", math.nan, math.nan, p_value,
                   float(expected_freq(table).min()))


def fisher_monte_carlo(table: np.ndarray, seed: int) -> Outcome:
    """Fisher's r x c test with a Monte Carlo p-value (9999 tables, seeded) and its standard
    error sqrt(p (1 - p) / B)."""
    method = stats.MonteCarloMethod(
        n_resamples=MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(seed)
    )
    res = stats.fisher_exact(table, method=method)
    p_value = float(res.pvalue)
    return Outcome(
        "fisher-monte-carlo", math.nan, math.nan, p_value,
        float(expected_freq(table).min()),
        p_se=math.sqrt(p_value * (1 - p_value) / MONTE_CARLO_RESAMPLES),
    )


def share_test(table: np.ndarray, seed: int) -> Outcome:
    """Test equality of shares across the rows of a groups x (yes, no) table."""
    table = drop_empty_margins(table)
    choice = choose_share_test(table)
    if choice == "chi-square":
        return chi_square(table)
    if choice == "fisher":
        return fisher_2x2(table)
    if choice == "fisher-freeman-halton":
        return fisher_rxc(table, seed)
    return Outcome("not testable", math.nan, math.nan, math.nan)


def welch_t(a: np.ndarray, b: np.ndarray) -> Outcome:
    """Welch's unequal-variance t-test (two-sided)."""
    if len(a) < 2 or len(b) < 2 or (np.var(a) == 0 and np.var(b) == 0):
        return Outcome("not testable", math.nan, math.nan, math.nan)
    with warnings.catch_warnings():
        # one sample without spread: scipy warns of precision loss in its moments, yet Welch's
        # t is defined (the standard error is the other sample's); the result is used as is
        warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
        res = stats.ttest_ind(a, b, equal_var=False)
    return Outcome("welch-t", float(res.statistic), float(res.df), float(res.pvalue))


def welch_anova(groups: list[np.ndarray]) -> Outcome:
    """Welch's one-way ANOVA; df is the numerator and df2 the (Welch) denominator df."""
    groups = [np.asarray(g, dtype=float) for g in groups if len(g) >= 2]
    if len(groups) < 2 or any(np.var(g) == 0 for g in groups):
        # Welch weights are n / variance: undefined when a group has no spread
        return Outcome("not testable", math.nan, math.nan, math.nan)
    res = anova_oneway(groups, use_var="unequal", welch_correction=True)
    return Outcome(
        "welch-anova", float(res.statistic), float(res.df_num), float(res.pvalue),
        df2=float(res.df_denom),
    )


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values; NaN p-values stay NaN and are left out of the family.

    With the m p-values sorted ascending, the i-th (from 0) becomes max over j <= i of
    (m - j) p_(j), capped at 1. The operations are those of statsmodels' multipletests
    (argsort, multiply, running maximum, cap), so the results are bit-identical to it.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = holm_adjust(p[ok])
    return out.tolist()


def holm_adjust(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a 1-d array of p-values without NaN."""
    order = np.argsort(p)
    ranked = np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1))
    ranked[ranked > 1] = 1
    out = np.empty_like(ranked)
    out[order] = ranked
    return out
