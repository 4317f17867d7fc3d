"""Maximum likelihood from many random starts: short EM, then L-BFGS-B with the analytic gradient.

Every start is run to convergence; their log-likelihoods tell how many distinct optima the surface
has. The best is polished (tight L-BFGS-B) and gets standard errors from the Hessian (central
differences of the analytic gradient). For large N the starts run on a random subsample of persons
and only the best few are polished on all data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from gbtm.basis import PolyBasis
from gbtm.data import TrajectoryData
from gbtm.model import ModelSpec, TrajectoryModel
from gbtm.threads import single_threaded_blas

#: Bounds keep a zero-inflation logit or a share logit that runs off to infinity finite.
THETA_BOUND = 15.0
GAMMA_BOUND = 20.0
BETA_BOUND = 15.0
#: Two optima are the same when their log-likelihoods differ by less than this.
OPTIMUM_TOLERANCE = 1e-3


@dataclass
class FitResult:
    spec: ModelSpec
    basis: PolyBasis
    params: np.ndarray
    loglik: float
    n_persons: int
    n_obs: int
    n_starts: int
    n_converged: int
    n_distinct_optima: int
    n_at_best: int
    start_logliks: list[float] = field(default_factory=list)
    cov: np.ndarray | None = None

    @property
    def n_params(self) -> int:
        return self.spec.n_params

    @property
    def bic(self) -> float:
        """Nagin's BIC with N persons: log L - 0.5 k ln N (higher is better)."""
        return self.loglik - 0.5 * self.n_params * np.log(self.n_persons)

    @property
    def bic_obs(self) -> float:
        """The same with N person-ages: log L - 0.5 k ln(person-ages) (higher is better)."""
        return self.loglik - 0.5 * self.n_params * np.log(self.n_obs)

    @property
    def se(self) -> np.ndarray:
        if self.cov is None:
            return np.full(self.n_params, np.nan)
        d = np.diag(self.cov)
        return np.where(d > 0, np.sqrt(np.abs(d)), np.nan)

    def model(self, data: TrajectoryData) -> TrajectoryModel:
        return TrajectoryModel(data, self.spec, self.basis)

    def shares(self) -> np.ndarray:
        theta = np.append(self.params[: self.spec.n_groups - 1], 0.0)
        return np.exp(theta - logsumexp(theta))


def bounds(spec: ModelSpec) -> list[tuple[float, float]]:
    b = [(-THETA_BOUND, THETA_BOUND)] * (spec.n_groups - 1)
    for _ in range(spec.n_groups):
        b += [(-BETA_BOUND, BETA_BOUND)] * spec.p + [(-GAMMA_BOUND, GAMMA_BOUND)] * spec.q
    return b


def random_start(model: TrajectoryModel, rng: np.random.Generator) -> np.ndarray:
    """Random parameters around the data: group levels spread around the overall log rate,
    random age shapes, random zero inflation; shares drawn from a flat Dirichlet."""
    s = model.spec
    y, e = model.y, np.exp(model.offset)
    base = np.log(max(y.sum() / e.sum(), 1e-3))
    spread = np.log1p(y.std() / max(y.mean(), 1e-3))
    pi = rng.dirichlet(np.full(s.n_groups, 2.0))
    beta = rng.normal(0.0, 0.7, (s.n_groups, s.p))
    beta[:, 0] = base + rng.normal(0.0, 1.0 + spread, s.n_groups)
    gamma = np.zeros((s.n_groups, s.q))
    if s.q:
        gamma[:, 0] = rng.normal(-1.0, 1.0, s.n_groups)
    return model.pack(np.log(pi), beta, gamma)


def _lbfgs(model: TrajectoryModel, x0: np.ndarray, tight: bool) -> tuple[np.ndarray, float, bool]:
    def neg(x: np.ndarray) -> tuple[float, np.ndarray]:
        ll, g = model.loglik_grad(x)
        return -ll, -g

    res = minimize(
        neg,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds(model.spec),
        options={
            "maxiter": 5000 if tight else 1000,
            "ftol": 1e-15 if tight else 1e-10,
            "gtol": 1e-8 if tight else 1e-5,
            "maxcor": 20,
        },
    )
    return res.x, -float(res.fun), bool(res.success)


def run_start(
    model: TrajectoryModel, x0: np.ndarray, em_iter: int
) -> tuple[np.ndarray, float, bool]:
    """A few EM steps (robust far from the optimum), then L-BFGS-B to convergence."""
    x = np.clip(x0, *np.array(bounds(model.spec)).T)
    for _ in range(em_iter):
        x = np.clip(model.em_step(x), *np.array(bounds(model.spec)).T)
    return _lbfgs(model, x, tight=False)


def hessian(model: TrajectoryModel, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Hessian of the log-likelihood by central differences of the analytic gradient."""
    n = len(x)
    out = np.empty((n, n))
    for i in range(n):
        step = np.zeros(n)
        step[i] = h * max(1.0, abs(x[i]))
        out[:, i] = (model.loglik_grad(x + step)[1] - model.loglik_grad(x - step)[1]) / (
            2 * step[i]
        )
    return (out + out.T) / 2


def covariance(model: TrajectoryModel, x: np.ndarray) -> np.ndarray:
    """Inverse observed information; NaN where it is not positive definite (a boundary)."""
    h = -hessian(model, x)
    try:
        cov = np.linalg.inv(h)
    except np.linalg.LinAlgError:
        return np.full(h.shape, np.nan)
    if np.any(np.diag(cov) <= 0) or not np.all(np.isfinite(cov)):
        cov = np.linalg.pinv(h)
        bad = np.diag(cov) <= 0
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
    return cov


def fit_model(
    data: TrajectoryData,
    spec: ModelSpec,
    *,
    basis: PolyBasis | None = None,
    n_starts: int = 50,
    seed: int = 0,
    em_iter: int = 20,
    start_sample: int = 5000,
    n_polish: int = 3,
    with_se: bool = True,
) -> FitResult:
    """Fit one model from ``n_starts`` random starts (deterministic for a given seed)."""
    with single_threaded_blas():
        return _fit(data, spec, basis, n_starts, seed, em_iter, start_sample, n_polish, with_se)


def _fit(
    data: TrajectoryData,
    spec: ModelSpec,
    basis: PolyBasis | None,
    n_starts: int,
    seed: int,
    em_iter: int,
    start_sample: int,
    n_polish: int,
    with_se: bool,
) -> FitResult:
    if basis is None:
        basis = PolyBasis.fit(data.age, spec.degree)
    rng = np.random.default_rng(seed)
    full = TrajectoryModel(data, spec, basis)
    sub = full
    if data.n_persons > start_sample:
        pick = rng.choice(data.n_persons, start_sample, replace=False)
        sub = TrajectoryModel(data.subset(pick), spec, basis)
    runs: list[tuple[float, np.ndarray, bool]] = []
    for _ in range(n_starts):
        x, ll, ok = run_start(sub, random_start(sub, rng), em_iter)
        runs.append((ll, x, ok))
    runs.sort(key=lambda r: -r[0])
    logliks = [r[0] for r in runs]
    distinct = _distinct(logliks)
    candidates = [runs[0]]
    if sub is not full:
        # polish the best few distinct optima of the subsample on all persons
        seen = [runs[0][0]]
        for r in runs[1:]:
            if len(candidates) >= n_polish:
                break
            if all(abs(r[0] - s) > OPTIMUM_TOLERANCE for s in seen):
                candidates.append(r)
                seen.append(r[0])
    best_x, best_ll = None, -np.inf
    for _, x, _ in candidates:
        px, pll, _ = _lbfgs(full, x, tight=True)
        if pll > best_ll:
            best_x, best_ll = px, pll
    assert best_x is not None
    best_x, best_ll = _canonical(full, best_x), full.loglik(_canonical(full, best_x))
    return FitResult(
        spec=spec,
        basis=basis,
        params=best_x,
        loglik=best_ll,
        n_persons=data.n_persons,
        n_obs=data.n_obs,
        n_starts=n_starts,
        n_converged=sum(r[2] for r in runs),
        n_distinct_optima=len(distinct),
        n_at_best=sum(1 for ll in logliks if logliks[0] - ll < OPTIMUM_TOLERANCE),
        start_logliks=logliks,
        cov=covariance(full, best_x) if with_se else None,
    )


def _distinct(logliks: list[float]) -> list[float]:
    out: list[float] = []
    for ll in sorted(logliks, reverse=True):
        if not out or out[-1] - ll > OPTIMUM_TOLERANCE:
            out.append(ll)
    return out


def _canonical(model: TrajectoryModel, x: np.ndarray) -> np.ndarray:
    """Groups ordered by their mean log rate over the fitted ages (label switching removed)."""
    p = model.unpack(x)
    grid = model.basis(np.unique(model.data.age), model.spec.degree)
    order = np.argsort((grid @ p.beta.T).mean(axis=0), kind="stable")
    return model.pack(p.log_pi[order], p.beta[order], p.gamma[order])


def fit_to_json(fit: FitResult) -> str:
    """Everything needed to evaluate the fit again (posteriors, curves) without refitting."""
    return json.dumps(
        {
            "spec": asdict(fit.spec),
            "basis": fit.basis.to_dict(),
            "params": fit.params.tolist(),
            "cov": None
            if fit.cov is None
            else np.where(np.isfinite(fit.cov), fit.cov, None).tolist(),
            "loglik": fit.loglik,
            "n_persons": fit.n_persons,
            "n_obs": fit.n_obs,
            "n_starts": fit.n_starts,
            "n_converged": fit.n_converged,
            "n_distinct_optima": fit.n_distinct_optima,
            "n_at_best": fit.n_at_best,
        }
    )


def fit_from_json(text: str) -> FitResult:
    d = json.loads(text)
    cov = None if d["cov"] is None else np.array(d["cov"], dtype=float)
    return FitResult(
        spec=ModelSpec(**d["spec"]),
        basis=PolyBasis.from_dict(d["basis"]),
        params=np.array(d["params"], dtype=float),
        loglik=float(d["loglik"]),
        n_persons=int(d["n_persons"]),
        n_obs=int(d["n_obs"]),
        n_starts=int(d["n_starts"]),
        n_converged=int(d["n_converged"]),
        n_distinct_optima=int(d["n_distinct_optima"]),
        n_at_best=int(d["n_at_best"]),
        cov=cov,
    )
