"""Fitted trajectories: expected counts per year by age with delta-method intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from gbtm.fit import FitResult


def expected_curves(fit: FitResult, ages: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    """Per group and age: expected count per person-year (1 - omega) lambda, with a Wald
    interval on the log scale from the parameters' covariance (delta method); the interval
    is missing where the covariance is not available."""
    s = fit.spec
    x = fit.basis(ages, s.degree)
    z = x[:, : s.q]
    k_n = s.n_groups
    rest = fit.params[k_n - 1 :].reshape(k_n, s.p + s.q)
    cov = fit.cov
    crit = norm.ppf(0.5 + level / 2)
    frames = []
    for k in range(k_n):
        beta, gamma = rest[k, : s.p], rest[k, s.p :]
        log_lam = x @ beta
        omega = 1 / (1 + np.exp(-(z @ gamma))) if s.q else np.zeros(len(ages))
        log_mu = log_lam + np.log1p(-omega)
        lo = hi = np.full(len(ages), np.nan)
        if cov is not None:
            start = k_n - 1 + k * (s.p + s.q)
            block = cov[start : start + s.p + s.q, start : start + s.p + s.q]
            jac = np.hstack([x, -omega[:, None] * z]) if s.q else x
            var = np.einsum("ij,jk,ik->i", jac, block, jac)
            se = np.sqrt(np.where(var >= 0, var, np.nan))
            lo, hi = np.exp(log_mu - crit * se), np.exp(log_mu + crit * se)
        frames.append(
            pd.DataFrame(
                {
                    "n_groups": k_n,
                    "group": k + 1,
                    "age": ages,
                    "expected": np.exp(log_mu),
                    "lower": lo,
                    "upper": hi,
                    "zero_inflation": omega,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def parameter_table(fit: FitResult) -> pd.DataFrame:
    """Every parameter with its standard error (inverse observed information)."""
    names = fit.spec.param_names()
    se = fit.se
    rows = [
        {
            "n_groups": fit.spec.n_groups,
            "group": g,
            "parameter": name,
            "estimate": float(fit.params[i]),
            "se": float(se[i]),
        }
        for i, (g, name) in enumerate(names)
    ]
    shares = fit.shares()
    share_se = _share_se(fit)
    rows += [
        {
            "n_groups": fit.spec.n_groups,
            "group": k + 1,
            "parameter": "share",
            "estimate": float(shares[k]),
            "se": float(share_se[k]),
        }
        for k in range(fit.spec.n_groups)
    ]
    return pd.DataFrame(rows)


def _share_se(fit: FitResult) -> np.ndarray:
    """Delta-method standard errors of the shares pi = softmax(theta, 0)."""
    k_n = fit.spec.n_groups
    if k_n == 1:
        return np.zeros(1)
    if fit.cov is None:
        return np.full(k_n, np.nan)
    pi = fit.shares()
    jac = (np.diag(pi) - np.outer(pi, pi))[:, : k_n - 1]
    cov = fit.cov[: k_n - 1, : k_n - 1]
    var = np.einsum("ij,jk,ik->i", jac, cov, jac)
    return np.sqrt(np.where(var >= 0, var, np.nan))
