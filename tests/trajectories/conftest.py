"""Small simulated data sets shared by the trajectory tests."""

from __future__ import annotations

import numpy as np
import pytest

from gbtm.simulate import four_profile_truth, simulate


@pytest.fixture(scope="session")
def truth():
    return four_profile_truth()


@pytest.fixture(scope="session")
def study_like(truth):
    """630 persons shaped like the four published profiles, OM-window observation."""
    return simulate(truth, 630, np.random.default_rng(20240201))


@pytest.fixture(scope="session")
def small(truth):
    """120 persons with exposure below 1 at some ages (gradient and EM checks)."""
    data, groups = simulate(truth, 120, np.random.default_rng(7))
    rng = np.random.default_rng(8)
    exposure = np.where(rng.random(data.n_obs) < 0.2, rng.uniform(0.1, 1.0, data.n_obs), 1.0)
    return type(data)(data.person_ids, data.person, data.age, data.count, exposure), groups
