"""Effect sizes and 95% intervals.

The libraries do the arithmetic (scipy, statsmodels); this module fixes the choices:
Wilson intervals for shares, log-scale (Katz) Wald intervals for prevalence ratios, t intervals
for means, Cramer's V for r x c tables, Cohen's h for pairs of shares and Hedges' g for pairs of
means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats.contingency import association, relative_risk
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize
from statsmodels.stats.weightstats import DescrStatsW

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided 95% interval; NaN where not estimable."""

    estimate: float
    low: float
    high: float
    note: str = ""


def wilson_interval(count: int, n: int) -> Interval:
    """Share `count / n` with the Wilson score interval.

    Wilson keeps its coverage near 95% for shares close to 0 or 1 and small n, where the Wald
    interval collapses (several published cells are 0-2%).
    """
    if n <= 0:
        return Interval(math.nan, math.nan, math.nan, "no observations")
    low, high = proportion_confint(count, n, alpha=1 - CONFIDENCE, method="wilson")
    return Interval(count / n, float(low), float(high))


def count_interval(count: int, n: int) -> Interval:
    """A count out of a fixed total n: the Wilson interval of the share, times n."""
    share = wilson_interval(count, n)
    return Interval(float(count), share.low * n, share.high * n, share.note)


def prevalence_ratio(cases: int, n: int, ref_cases: int, ref_n: int) -> Interval:
    """Prevalence ratio against the reference group with a 95% log-scale Wald interval.

    scipy.stats.contingency.relative_risk computes the ratio and the Katz log interval. A zero
    cell makes the log interval undefined (scipy returns inf or nan); rather than invent a
    continuity correction we report the ratio as not estimable in that case.
    """
    if n <= 0 or ref_n <= 0:
        return Interval(math.nan, math.nan, math.nan, "no observations")
    if ref_cases == 0:
        return Interval(math.nan, math.nan, math.nan, "not estimable: no cases in reference group")
    if cases == 0:
        return Interval(0.0, math.nan, math.nan, "interval not estimable: no cases")
    result = relative_risk(cases, n, ref_cases, ref_n)
    ci = result.confidence_interval(confidence_level=CONFIDENCE)
    return Interval(float(result.relative_risk), float(ci.low), float(ci.high))


def mean_interval(values: np.ndarray) -> Interval:
    """Mean with the t interval (statsmodels DescrStatsW.tconfint_mean)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return Interval(math.nan, math.nan, math.nan, "no observations")
    if values.size == 1:
        return Interval(float(values[0]), math.nan, math.nan, "one observation")
    low, high = DescrStatsW(values).tconfint_mean(alpha=1 - CONFIDENCE)
    return Interval(float(values.mean()), float(low), float(high))


def cramers_v(table: np.ndarray, chi_square: float | None = None) -> float:
    """Cramer's V of an r x c table of counts, without bias correction (as R's cramerV).

    V = sqrt(X2 / n / min(r - 1, c - 1)) with X2 Pearson's chi-square statistic without
    continuity correction. When the caller has already computed X2 for this very table it is
    passed as `chi_square` and V follows with the arithmetic of scipy's association (the same
    number to the last bit); otherwise scipy's association computes it.
    """
    table = np.asarray(table)
    if chi_square is None:
        return float(association(table, method="cramer", correction=False))
    n_rows, n_cols = table.shape
    return math.sqrt(chi_square / table.sum() / min(n_cols - 1, n_rows - 1))


def cohens_h(share_a: float, share_b: float) -> float:
    """Cohen's h = 2 asin(sqrt(p_a)) - 2 asin(sqrt(p_b)) (statsmodels proportion_effectsize)."""
    return float(proportion_effectsize(share_a, share_b))


def hedges_g(a: np.ndarray, b: np.ndarray) -> float:
    """Hedges' g: Cohen's d with the pooled SD, times the small-sample correction J.

    d = (mean_a - mean_b) / s_pooled, s_pooled^2 = ((n_a-1)s_a^2 + (n_b-1)s_b^2) / (n_a+n_b-2);
    J = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)) with df = n_a + n_b - 2 (Hedges 1981, exact
    form; about 1 - 3 / (4 df - 1)). No scipy or statsmodels call computes g directly.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n_a, n_b = a.size, b.size
    dof = n_a + n_b - 2
    if n_a < 2 or n_b < 2:
        return math.nan
    pooled = ((n_a - 1) * a.var(ddof=1) + (n_b - 1) * b.var(ddof=1)) / dof
    if pooled <= 0:
        return math.nan
    d = (a.mean() - b.mean()) / math.sqrt(pooled)
    j = math.exp(math.lgamma(dof / 2) - math.lgamma((dof - 1) / 2)) / math.sqrt(dof / 2)
    return float(d * j)


def eta_squared(groups: list[np.ndarray]) -> float:
    """Eta squared: between-group sum of squares over the total sum of squares (NaN without
    values, e.g. when no group has a victim)."""
    if not any(len(g) for g in groups):
        return math.nan
    values = np.concatenate([np.asarray(g, dtype=float) for g in groups])
    grand = values.mean()
    total = float(((values - grand) ** 2).sum())
    between = float(sum(len(g) * (np.mean(g) - grand) ** 2 for g in groups))
    return between / total if total > 0 else math.nan

