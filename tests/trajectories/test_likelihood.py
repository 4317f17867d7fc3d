"""Likelihood machinery: basis, analytic gradient, EM monotonicity, K = 1 against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.discrete.count_model import ZeroInflatedPoisson

from gbtm.basis import PolyBasis
from gbtm.fit import fit_model, random_start
from gbtm.model import ModelSpec, TrajectoryModel

SPECS = [
    ModelSpec(3, degree=3, family="zip", zi_degree=0),
    ModelSpec(3, degree=3, family="zip", zi_degree=2),
    ModelSpec(2, degree=2, family="poisson"),
]


def test_basis_columns_are_orthogonal_with_unit_mean_square():
    ages = np.arange(12, 47)
    x = PolyBasis.fit(ages, 3)(ages)
    gram = x.T @ x / len(ages)
    assert np.allclose(gram, np.eye(4), atol=1e-12)


def test_basis_spans_the_raw_polynomial():
    """Any cubic in age is reproduced exactly by the basis (same column space)."""
    ages = np.arange(12.0, 47.0)
    cubic = 0.5 - 0.1 * ages + 0.003 * ages**2 - 2e-5 * ages**3
    x = PolyBasis.fit(ages, 3)(ages)
    coef = np.linalg.lstsq(x, cubic, rcond=None)[0]
    assert np.allclose(x @ coef, cubic, atol=1e-10)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.family}-K{s.n_groups}-zi{s.zi_degree}")
def test_analytic_gradient_matches_finite_differences(small, spec):
    data, _ = small
    model = TrajectoryModel(data, spec, PolyBasis.fit(data.age, 3))
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = random_start(model, rng)
        _, grad = model.loglik_grad(x)
        numeric = np.empty_like(x)
        for i in range(len(x)):
            h = 1e-6 * max(1.0, abs(x[i]))
            up, down = x.copy(), x.copy()
            up[i] += h
            down[i] -= h
            numeric[i] = (model.loglik(up) - model.loglik(down)) / (2 * h)
        rel = np.abs(grad - numeric) / np.maximum(np.abs(numeric), 1.0)
        assert rel.max() < 1e-4


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.family}-K{s.n_groups}-zi{s.zi_degree}")
def test_em_never_decreases_the_likelihood(small, spec):
    data, _ = small
    model = TrajectoryModel(data, spec, PolyBasis.fit(data.age, 3))
    rng = np.random.default_rng(11)
    for _ in range(3):
        x = random_start(model, rng)
        previous = model.loglik(x)
        for _ in range(40):
            x = model.em_step(x)
            current = model.loglik(x)
            assert current >= previous - 1e-9 * abs(previous)
            previous = current


def test_loglik_equals_the_sum_of_mixture_densities_by_hand():
    """Two persons, one Poisson group of degree 0: log L = sum of Poisson log pmfs."""
    import pandas as pd
    from scipy.stats import poisson

    from gbtm.data import TrajectoryData

    frame = pd.DataFrame({"person": ["a", "a", "b"], "age": [12, 13, 12], "count": [0, 2, 1]})
    data = TrajectoryData.from_frame(frame)
    spec = ModelSpec(1, degree=0, family="poisson")
    model = TrajectoryModel(data, spec, PolyBasis.fit(data.age, 0))
    rate = 0.7
    expected = poisson.logpmf([0, 2, 1], rate).sum()
    assert model.loglik(np.array([np.log(rate)])) == pytest.approx(expected, abs=1e-12)


def test_one_group_poisson_equals_statsmodels_poisson(small):
    data, _ = small
    spec = ModelSpec(1, degree=3, family="poisson")
    basis = PolyBasis.fit(data.age, 3)
    fit = fit_model(data, spec, basis=basis, n_starts=3, seed=1)
    x = basis(data.age)
    ref = sm.GLM(data.count, x, family=sm.families.Poisson(), offset=np.log(data.exposure)).fit(
        tol=1e-12
    )
    assert fit.loglik == pytest.approx(ref.llf, abs=1e-6)
    assert np.allclose(fit.params, ref.params, atol=1e-5)
    assert np.allclose(fit.se, ref.bse, rtol=1e-3)


def test_one_group_zip_equals_statsmodels_zero_inflated_poisson(small):
    data, _ = small
    spec = ModelSpec(1, degree=3, family="zip", zi_degree=0)
    basis = PolyBasis.fit(data.age, 3)
    fit = fit_model(data, spec, basis=basis, n_starts=3, seed=1)
    x = basis(data.age)
    ref = ZeroInflatedPoisson(
        data.count, x, exog_infl=np.ones((data.n_obs, 1)), exposure=data.exposure
    ).fit(method="bfgs", maxiter=5000, gtol=1e-10, disp=False)
    assert fit.loglik == pytest.approx(ref.llf, abs=1e-6)
    # statsmodels orders the inflation parameters first
    assert np.allclose(fit.params[4:], ref.params[:1], atol=1e-4)
    assert np.allclose(fit.params[:4], ref.params[1:], atol=1e-4)
