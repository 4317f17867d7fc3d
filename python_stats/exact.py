"""Fisher's exact test of an r x c table (Freeman-Halton) by enumeration of the tables.

Every table with the observed margins has the multivariate hypergeometric probability
P = prod(r_i!) prod(c_j!) / (N! prod(x_ij!)); the p-value is the total probability of the tables
no more probable than the observed one (with R's relative tolerance of 1e-7). The tables are
enumerated one column at a time, as in the network algorithm of Mehta and Patel: a node is a
column index and the row totals still to fill; the largest and smallest completion weights of a
node (memoised) decide whether all of its completions count, none do, or its children must be
visited, and the probability of all completions of a node has a closed form. The last two
columns are handled together with numpy. scipy supplies the log-factorials; scipy.stats has no
exact r x c test (its `fisher_exact` beyond 2 x 2 is Monte Carlo).

The work depends on the margins: `freeman_halton` raises `TooLargeError` after `budget` nodes, and
the caller then falls back to a Monte Carlo p-value.
"""

from __future__ import annotations

import math
from functools import cache
from itertools import combinations

import numpy as np
from scipy.special import gammaln, logsumexp

RELATIVE_TOLERANCE = 1e-7
DEFAULT_BUDGET = 200_000


class TooLargeError(RuntimeError):
    """The enumeration would visit more nodes than its budget allows."""


@cache
def compositions(total: int, parts: int) -> np.ndarray:
    """Every way to write `total` as an ordered sum of `parts` non-negative integers (rows)."""
    if parts == 1:
        return np.array([[total]], dtype=np.int64)
    cuts = np.array(list(combinations(range(total + parts - 1), parts - 1)), dtype=np.int64)
    if cuts.size == 0:
        return np.zeros((1, parts), dtype=np.int64)
    edges = np.hstack([np.full((len(cuts), 1), -1), cuts,
                       np.full((len(cuts), 1), total + parts - 1)])
    return np.diff(edges, axis=1) - 1


class Enumeration:
    """The tables of fixed margins, walked column by column."""

    def __init__(self, table: np.ndarray, budget: int) -> None:
        table = np.asarray(table, dtype=np.int64)
        if table.shape[0] > table.shape[1]:  # fewer rows: fewer ways to fill a column
            table = table.T
        order = np.argsort(table.sum(axis=0), kind="stable")  # largest column filled last
        self.table = table[:, order]
        self.rows = self.table.sum(axis=1)
        self.cols = self.table.sum(axis=0)
        self.n = int(self.table.sum())
        self.log_fact = gammaln(np.arange(self.n + 2) + 1.0)
        self.budget = budget
        self.visited = 0
        self.bounds = cache(self._bounds)

    def weight(self, cells: np.ndarray) -> np.ndarray:
        """-sum(log x!) over the last axis: a table's log probability up to a constant."""
        return -self.log_fact[cells].sum(axis=-1)

    def fills(self, j: int, rem: tuple[int, ...]) -> np.ndarray:
        """The ways to fill column j given the row totals still open."""
        ways = compositions(int(self.cols[j]), len(rem))
        return ways[(ways <= np.asarray(rem)).all(axis=1)]

    def last_two(self, j: int, rem: tuple[int, ...]) -> np.ndarray:
        """Weights of every completion of column j (the second-last) and the last column."""
        ways = self.fills(j, rem)
        self.visited += 1
        if self.visited > self.budget:
            raise TooLargeError(f"more than {self.budget} nodes")
        return self.weight(ways) + self.weight(np.asarray(rem) - ways)

    def _bounds(self, j: int, rem: tuple[int, ...]) -> tuple[float, float]:
        """Smallest and largest completion weight of a node."""
        if j == len(self.cols) - 1:
            w = float(self.weight(np.asarray(rem)))
            return w, w
        if j == len(self.cols) - 2:
            w = self.last_two(j, rem)
            return float(w.min()), float(w.max())
        lows, highs = [], []
        for fill in self.fills(j, rem):
            low, high = self.bounds(j + 1, tuple((np.asarray(rem) - fill).tolist()))
            step = float(self.weight(fill))
            lows.append(step + low)
            highs.append(step + high)
        return min(lows), max(highs)

    def log_mass(self, j: int, rem: tuple[int, ...]) -> float:
        """log of sum(exp(weight)) over all completions of a node (closed form)."""
        cols = self.cols[j:]
        return float(self.log_fact[sum(rem)] - self.log_fact[list(rem)].sum()
                     - self.log_fact[cols].sum())

    def mass_at_most(self, j: int, rem: tuple[int, ...], acc: float, limit: float) -> list[float]:
        """log masses of the completions whose weight plus `acc` is at most `limit`."""
        low, high = self.bounds(j, rem)
        if acc + high <= limit:
            return [acc + self.log_mass(j, rem)]
        if acc + low > limit:
            return []
        if j == len(self.cols) - 2:
            w = acc + self.last_two(j, rem)
            return w[w <= limit].tolist()
        out: list[float] = []
        for fill in self.fills(j, rem):
            rest = tuple((np.asarray(rem) - fill).tolist())
            out += self.mass_at_most(j + 1, rest, acc + float(self.weight(fill)), limit)
        return out

    def p_value(self) -> float:
        """Total probability of the tables no more probable than the observed one."""
        observed = float(self.weight(self.table).sum())
        limit = observed + math.log1p(RELATIVE_TOLERANCE)
        total = self.log_mass(0, tuple(self.rows.tolist()))
        if len(self.cols) == 1:
            return 1.0
        kept = self.mass_at_most(0, tuple(self.rows.tolist()), 0.0, limit)
        return float(min(1.0, math.exp(logsumexp(kept) - total))) if kept else 0.0


def freeman_halton(table: np.ndarray, budget: int = DEFAULT_BUDGET) -> float:
    """The exact p-value of Fisher's test of an r x c table (raises TooLargeError beyond budget)."""
    return Enumeration(table, budget).p_value()
