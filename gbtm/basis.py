"""Orthogonal polynomial basis in age (the three-term recurrence of R's ``poly``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PolyBasis:
    """Polynomials in age orthogonal over a set of distinct ages, scaled to unit mean square.

    Column 0 is the constant 1; column j (j >= 1) has mean 0 and mean square 1 over the distinct
    ages the basis was fitted on, so coefficients are on one scale and the design is well
    conditioned for cubic trajectories over 30+ ages.
    """

    degree: int
    alpha: tuple[float, ...]
    norm2: tuple[float, ...]
    n_points: int

    @classmethod
    def fit(cls, ages: np.ndarray, degree: int) -> PolyBasis:
        """Basis of the given degree orthogonal over the distinct values of ``ages``."""
        if degree < 0 or degree > 5:
            raise ValueError(f"polynomial degree must be 0..5, got {degree}")
        x = np.unique(np.asarray(ages, dtype=float))
        if len(x) <= degree:
            raise ValueError(
                f"a polynomial of degree {degree} needs at least {degree + 1} distinct ages, "
                f"got {len(x)}"
            )
        alpha: list[float] = []
        norm2: list[float] = [1.0, float(len(x))]
        prev, cur = np.zeros_like(x), np.ones_like(x)
        for j in range(degree):
            a = float(np.sum(x * cur**2) / np.sum(cur**2))
            alpha.append(a)
            nxt = (x - a) * cur - (norm2[j + 1] / norm2[j]) * prev
            prev, cur = cur, nxt
            norm2.append(float(np.sum(cur**2)))
        return cls(degree=degree, alpha=tuple(alpha), norm2=tuple(norm2), n_points=len(x))

    def __call__(self, ages: np.ndarray, degree: int | None = None) -> np.ndarray:
        """Design matrix (n, degree + 1) at ``ages``; ``degree`` may be lower than the basis'."""
        d = self.degree if degree is None else degree
        if d > self.degree:
            raise ValueError(f"basis fitted for degree {self.degree}, asked for {d}")
        x = np.asarray(ages, dtype=float)
        out = np.empty((len(x), d + 1))
        out[:, 0] = 1.0
        prev, cur = np.zeros_like(x), np.ones_like(x)
        for j in range(d):
            nxt = (x - self.alpha[j]) * cur - (self.norm2[j + 1] / self.norm2[j]) * prev
            prev, cur = cur, nxt
            out[:, j + 1] = cur / np.sqrt(self.norm2[j + 2] / self.n_points)
        return out

    def to_dict(self) -> dict:
        return {
            "degree": self.degree,
            "alpha": list(self.alpha),
            "norm2": list(self.norm2),
            "n_points": self.n_points,
        }

    @classmethod
    def from_dict(cls, d: dict) -> PolyBasis:
        return cls(
            degree=int(d["degree"]),
            alpha=tuple(float(v) for v in d["alpha"]),
            norm2=tuple(float(v) for v in d["norm2"]),
            n_points=int(d["n_points"]),
        )
