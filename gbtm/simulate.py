"""Simulated histories from known trajectory groups (recovery studies and tests).

The truth is a correctly specified model: each group's log rate is the cubic in age closest (least
squares over the ages) to a named shape, with a constant zero inflation. Persons are observed over
the years of an OM-like window (2001-2021) at the ages it covers, from the age of criminal
responsibility (12) on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gbtm.basis import PolyBasis
from gbtm.data import TrajectoryData
from gbtm.model import ModelSpec
from gbtm.profiles import study_profiles

#: Shapes like the four published profiles, in the order of gbtm.profiles (lowest level, early
#: peak, late peak, highest level): (share, peak age, peak rate, width in years, floor).
FOUR_PROFILES: tuple[tuple[float, float, float, float, float], ...] = (
    (0.36, 24.0, 0.10, 12.0, 0.02),
    (0.28, 18.0, 1.30, 3.5, 0.03),
    (0.21, 27.5, 1.00, 4.5, 0.03),
    (0.15, 24.0, 1.80, 12.0, 0.30),
)
ZERO_INFLATION = 0.2


@dataclass(frozen=True)
class Truth:
    spec: ModelSpec
    basis: PolyBasis
    shares: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    names: tuple[str, ...]

    def params(self) -> np.ndarray:
        theta = np.log(self.shares) - np.log(self.shares[-1])
        return np.concatenate([theta[:-1], np.hstack([self.beta, self.gamma]).ravel()])


def shape_rate(ages: np.ndarray, peak: float, level: float, width: float, floor: float):
    return level * np.exp(-0.5 * ((ages - peak) / width) ** 2) + floor


def four_profile_truth(ages: np.ndarray | None = None,
                       names: Sequence[str] | None = None) -> Truth:
    """The four published shapes as a ZIP cubic trajectory model (groups in the order of
    FOUR_PROFILES), named `names` (default: the study's profiles, gbtm.profiles)."""
    ages = np.arange(12, 47) if ages is None else ages
    spec = ModelSpec(n_groups=4, degree=3, family="zip", zi_degree=0)
    basis = PolyBasis.fit(ages, 3)
    x = basis(ages)
    beta, shares = [], []
    for share, peak, level, width, floor in FOUR_PROFILES:
        target = np.log(shape_rate(ages, peak, level, width, floor) / (1 - ZERO_INFLATION))
        beta.append(np.linalg.lstsq(x, target, rcond=None)[0])
        shares.append(share)
    gamma = np.full((4, 1), np.log(ZERO_INFLATION / (1 - ZERO_INFLATION)))
    names = tuple(study_profiles() if names is None else names)
    return Truth(spec, basis, np.array(shares), np.array(beta), gamma, names)


def simulate(
    truth: Truth,
    n_persons: int,
    rng: np.random.Generator,
    birth_years: tuple[int, int] = (1975, 2000),
    window: tuple[int, int] = (2001, 2021),
    min_age: int = 12,
) -> tuple[TrajectoryData, np.ndarray]:
    """Histories of ``n_persons`` and their true group (0-based)."""
    groups = rng.choice(len(truth.shares), n_persons, p=truth.shares)
    born = rng.integers(birth_years[0], birth_years[1] + 1, n_persons)
    lo = np.maximum(min_age, window[0] - born)
    hi = window[1] - born
    n_ages = np.maximum(hi - lo + 1, 0)
    person = np.repeat(np.arange(n_persons), n_ages)
    start = np.repeat(lo, n_ages)
    offset = np.arange(len(person)) - np.repeat(np.cumsum(n_ages) - n_ages, n_ages)
    age = (start + offset).astype(float)
    g = groups[person]
    x = truth.basis(age, truth.spec.degree)
    lam = np.exp(np.sum(x * truth.beta[g], axis=1))
    omega = 1 / (1 + np.exp(-truth.gamma[g, 0]))
    count = np.where(rng.random(len(age)) < omega, 0, rng.poisson(lam))
    frame = pd.DataFrame({"person": person, "age": age, "count": count})
    frame["person"] = frame["person"].map(lambda i: f"p{i:06d}")
    data = TrajectoryData.from_frame(frame)
    # from_frame sorts persons by id; ids are zero-padded so the order is unchanged
    return data, groups
