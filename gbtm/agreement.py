"""Agreement between two classifications of the same persons."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.special import comb


def contingency(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross table of two label vectors (rows: labels of a, columns: labels of b, sorted)."""
    return pd.crosstab(pd.Series(a), pd.Series(b)).to_numpy()


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """Hubert and Arabie's adjusted Rand index from the contingency table (pair counts)."""
    table = contingency(a, b)
    n = table.sum()
    pairs = comb(table, 2).sum()
    rows = comb(table.sum(axis=1), 2).sum()
    cols = comb(table.sum(axis=0), 2).sum()
    expected = rows * cols / comb(n, 2)
    top = 0.5 * (rows + cols)
    if top == expected:
        return 1.0
    return float((pairs - expected) / (top - expected))


def matched_accuracy(truth: np.ndarray, found: np.ndarray) -> float:
    """Share classified correctly after the best one-to-one matching of the labels."""
    table = contingency(truth, found)
    r, c = linear_sum_assignment(-table)
    return float(table[r, c].sum() / table.sum())
