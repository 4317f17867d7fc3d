"""Against R's flexmix, frozen: validation/flexmix_compare.py fitted the Poisson variant on this
simulated data set in flexmix (started from our posterior, and from random restarts) and stored
its numbers in fixtures/flexmix_reference.json. R is not needed here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gbtm.fit import fit_model
from gbtm.model import ModelSpec
from gbtm.simulate import four_profile_truth, simulate

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "flexmix_reference.json").read_text())


@pytest.fixture(scope="module")
def fit():
    ref = REFERENCE["data"]
    data, _ = simulate(four_profile_truth(), ref["n"], np.random.default_rng(ref["seed"]))
    assert data.n_obs == ref["person_ages"]
    return fit_model(
        data, ModelSpec(4, degree=3, family="poisson"), n_starts=20, seed=ref["seed"], with_se=False
    )


def test_loglik_and_shares_equal_flexmix_started_alike(fit):
    flex = REFERENCE["flexmix"]
    assert fit.loglik == pytest.approx(flex["alike_loglik"], abs=0.01)
    assert np.allclose(sorted(fit.shares()), flex["alike_shares"], atol=0.005)


def test_best_loglik_is_at_least_flexmix_best_over_its_restarts(fit):
    assert fit.loglik >= REFERENCE["flexmix"]["restarts_best_loglik"] - 1e-6
