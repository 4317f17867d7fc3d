"""The estimator's parts: batched EM, the analytic Hessian, the Newton finish and the reseeding
of the smallest group."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import statsmodels.api as sm

from gbtm.basis import PolyBasis
from gbtm.fit import fit_model, random_start, short_em
from gbtm.model import BETA_BOUND, ModelSpec, TrajectoryModel
from gbtm.newton import GRADIENT_TOLERANCE, newton_finish_batch, projected_gradient
from gbtm.reseed import own_curves, reseeded_starts
from gbtm.selection import _main_script_hidden, default_jobs

SPECS = [
    ModelSpec(3, degree=3, family="zip", zi_degree=0),
    ModelSpec(3, degree=3, family="zip", zi_degree=2),
    ModelSpec(2, degree=2, family="poisson"),
]
IDS = [f"{s.family}-K{s.n_groups}-zi{s.zi_degree}" for s in SPECS]


def model_and_starts(data, spec: ModelSpec, n: int, seed: int):
    model = TrajectoryModel(data, spec, PolyBasis.fit(data.age, 3))
    rng = np.random.default_rng(seed)
    return model, np.stack([random_start(model, rng) for _ in range(n)])


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_batched_em_equals_the_starts_one_by_one_and_never_decreases(small, spec):
    data, _ = small
    model, starts = model_and_starts(data, spec, 12, 5)
    batch = starts
    previous = model.loglik_batch(batch)
    for _ in range(8):
        batch = model.em_step_batch(batch)
        current = model.loglik_batch(batch)
        assert np.all(current >= previous - 1e-9 * np.abs(previous))
        previous = current
    for row, start in zip(batch, starts, strict=True):
        x = start
        for _ in range(8):
            x = model.em_step(x)
        # (a zero-inflation logit running off in a flat direction carries round-off)
        assert np.allclose(row, x, rtol=1e-5, atol=1e-6)
    assert np.allclose(previous, [model.loglik(x) for x in batch], rtol=1e-12)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_analytic_hessian_matches_differences_of_the_analytic_gradient(small, spec):
    data, _ = small
    model, starts = model_and_starts(data, spec, 2, 3)
    for x in short_em(model, starts, 3):
        _, _, hess = model.loglik_grad_hess(x)
        numeric = np.empty_like(hess)
        for i in range(len(x)):
            h = 1e-5 * max(1.0, abs(x[i]))
            up, down = x.copy(), x.copy()
            up[i] += h
            down[i] -= h
            numeric[:, i] = (model.loglik_grad(up)[1] - model.loglik_grad(down)[1]) / (2 * h)
        rel = np.abs(hess - numeric) / np.maximum(np.abs(numeric), 1.0)
        assert rel.max() < 1e-5


def test_batched_derivatives_equal_one_vector_at_a_time(small):
    data, _ = small
    model, starts = model_and_starts(data, SPECS[0], 7, 9)
    ll, grad, hess = model.derivatives_batch(starts)
    for i, x in enumerate(starts):
        one = model.loglik_grad_hess(x)
        assert ll[i] == pytest.approx(one[0], rel=1e-12)
        assert np.allclose(grad[i], one[1], rtol=1e-9, atol=1e-9)
        assert np.allclose(hess[i], one[2], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_newton_finish_reaches_a_stationary_point_never_below_its_start(small, spec):
    data, _ = small
    model, starts = model_and_starts(data, spec, 6, 21)
    starts = short_em(model, starts, 3)
    lower, upper = spec.bounds()
    runs = newton_finish_batch(model, starts, lower, upper)
    for run, start in zip(runs, starts, strict=True):
        assert run.loglik >= model.loglik(start)
        assert run.loglik == pytest.approx(model.loglik(run.params), abs=1e-9)
        assert np.all((run.params >= lower) & (run.params <= upper))
    converged = [r for r in runs if r.converged]
    assert len(converged) >= 4
    for run in converged:
        _, grad = model.loglik_grad(run.params)
        assert np.abs(projected_gradient(run.params, grad, lower, upper)).max() < 1e-4
    assert min(r.gradient for r in runs) <= GRADIENT_TOLERANCE


def test_own_curves_equal_a_poisson_glm_of_each_person(small):
    """Inside the bounds a person's own curve is the maximum-likelihood Poisson GLM of their
    counts (statsmodels); at a bound it is no worse than the GLM clipped to the bounds."""
    data, _ = small
    basis = PolyBasis.fit(data.age, 3)
    model = TrajectoryModel(data, ModelSpec(2), basis)
    beta, loglik = own_curves(model)
    inside = 0
    for i in range(30):
        rows = data.person == i
        if data.count[rows].sum() == 0:
            continue
        glm = sm.GLM(data.count[rows], basis(data.age[rows]), family=sm.families.Poisson(),
                     offset=np.log(data.exposure[rows])).fit(tol=1e-12)
        if np.all(np.abs(glm.params) < BETA_BOUND - 1):
            inside += 1
            assert np.allclose(beta[i], glm.params, atol=1e-5)
            assert loglik[i] == pytest.approx(glm.llf, abs=1e-6)
    assert inside >= 10


def test_reseeded_starts_give_the_smallest_group_one_persons_curve(small):
    data, _ = small
    model, starts = model_and_starts(data, SPECS[0], 1, 4)
    x = short_em(model, starts, 5)[0]
    smallest = int(np.argmin(model.unpack(x).log_pi))
    own, _ = own_curves(model)
    seeds = reseeded_starts(model, x, 4)
    assert seeds.shape == (4, len(x))
    for seed in seeds:
        p = model.unpack(seed)
        assert np.exp(p.log_pi[smallest]) == pytest.approx(1 / data.n_persons)
        assert any(np.allclose(p.beta[smallest], row) for row in own)
        others = [k for k in range(3) if k != smallest]
        assert np.allclose(p.beta[others], model.unpack(x).beta[others])


def test_default_jobs_use_the_available_processors_at_most_one_per_fit():
    cpus = len(os.sched_getaffinity(0))
    assert default_jobs(1) == 1
    assert default_jobs(6) == min(cpus, 6)


def test_workers_start_without_the_main_script_and_it_is_restored():
    main = sys.modules["__main__"]
    before = getattr(main, "__file__", None)
    with _main_script_hidden():
        assert not hasattr(main, "__file__")
    assert getattr(main, "__file__", None) == before


def test_a_fit_started_on_a_subsample_is_finished_on_all_persons(small):
    """Above start_sample persons the starts run on a subsample; the fit is still a stationary
    point of the likelihood of all persons."""
    data, _ = small
    spec = ModelSpec(2)
    fit = fit_model(data, spec, n_starts=4, seed=2, start_sample=60, with_se=False)
    model = TrajectoryModel(data, spec, fit.basis)
    lower, upper = spec.bounds()
    ll, grad = model.loglik_grad(fit.params)
    assert fit.loglik == pytest.approx(ll, abs=1e-9)
    assert np.abs(projected_gradient(fit.params, grad, lower, upper)).max() < 1e-4
    assert fit.n_persons == data.n_persons
