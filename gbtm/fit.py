"""Maximum likelihood from many random starts: batched short runs, then Newton to convergence.

All random starts of one model run together as one batch: a few generalised-EM steps
(``TrajectoryModel.em_step_batch``; the short-run EM initialisation of Biernacki, Celeux and
Govaert 2003), then a few Newton steps with the analytic Hessian (``gbtm.newton``). After the
EM steps alone the log-likelihood ranks the starts poorly (on the default extracts, of 200
starts after 20 EM steps, those that end at the best K = 4 optimum ranked 12th, 44th and
lower); after four Newton steps they rank first. The ``n_converge`` best starts (skipping any within
``OPTIMUM_TOLERANCE`` of one already taken: the same optimum) are the candidates, run to
convergence by Newton steps. Then the smallest group of the best is reseeded on the persons who
gain most from a group of their own (``gbtm.reseed``), and those variants are finished alike:
optima with a group of one person are found there that random starts reach
once in hundreds. The best candidate is the fit; its standard errors come from the inverse of
the observed information (the analytic Hessian). For large N the starts and candidates run on
a random subsample of persons and the best few distinct optima are finished on all persons.

The counts of a fit: ``n_starts`` random starts; ``n_converged`` candidates (the converged
starts and reseeded variants) whose finish converged (projected gradient at most
``gbtm.newton.GRADIENT_TOLERANCE``, or ``STALLED_TOLERANCE`` where the likelihood is flat);
``n_distinct_optima`` distinct optima among the candidates (log L differing by more than
``OPTIMUM_TOLERANCE``); ``n_at_best`` candidates that reached the best; ``start_logliks`` the
candidates' final log L, best first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from gbtm.basis import PolyBasis
from gbtm.data import TrajectoryData
from gbtm.model import ModelSpec, TrajectoryModel, log_sum_exp
from gbtm.newton import Finish, newton_finish_batch
from gbtm.reseed import reseeded_starts
from gbtm.threads import single_threaded_blas

#: Two optima are the same when their log-likelihoods differ by less than this.
OPTIMUM_TOLERANCE = 1e-3
#: Random starts of a fit by default (docs/trajectories.md gives the experiment it comes from).
N_STARTS = 50


@dataclass(frozen=True)
class Search:
    """How the starts are searched (defaults from the experiment in docs/trajectories.md):
    ``em_steps`` batched EM steps of every start, then ``screen_steps`` Newton steps of every
    start, then the ``n_converge`` best (distinct) run to convergence; then ``n_reseed``
    variants of the best with its smallest group reseeded on one person (gbtm.reseed), every
    one run to convergence (a few Newton steps rank them poorly)."""

    em_steps: int = 10
    screen_steps: int = 4
    n_converge: int = 10
    n_reseed: int = 20


DEFAULT_SEARCH = Search()


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
        return np.exp(theta - log_sum_exp(theta, axis=0))


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


def short_em(model: TrajectoryModel, starts: np.ndarray, em_steps: int) -> np.ndarray:
    """``em_steps`` generalised-EM steps of every start (S, n) as one batch, within the
    bounds."""
    lower, upper = model.spec.bounds()
    out = np.clip(starts, lower, upper)
    for _ in range(em_steps):
        out = np.clip(model.em_step_batch(out), lower, upper)
    return out


def candidates(logliks: np.ndarray, n_converge: int) -> list[int]:
    """Indices of the best ``n_converge`` log-likelihoods, skipping any within
    ``OPTIMUM_TOLERANCE`` of one already taken."""
    taken: list[int] = []
    for i in np.argsort(-logliks, kind="stable"):
        if len(taken) >= n_converge:
            break
        if np.isfinite(logliks[i]) and all(
            abs(logliks[i] - logliks[j]) > OPTIMUM_TOLERANCE for j in taken
        ):
            taken.append(int(i))
    return taken


def covariance(model: TrajectoryModel, x: np.ndarray) -> np.ndarray:
    """Inverse observed information; NaN where it is not positive definite (a boundary)."""
    h = -model.loglik_grad_hess(x)[2]
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
    n_starts: int = N_STARTS,
    seed: int = 0,
    search: Search = DEFAULT_SEARCH,
    start_sample: int = 5000,
    n_polish: int = 3,
    with_se: bool = True,
) -> FitResult:
    """Fit one model from ``n_starts`` random starts (deterministic for a given seed)."""
    with single_threaded_blas():
        return _fit(data, spec, basis, n_starts, seed, search, start_sample, n_polish, with_se)


def converge_best(
    model: TrajectoryModel, starts: np.ndarray, screen_steps: int, n_converge: int
) -> list[Finish]:
    """``screen_steps`` Newton steps of every start (S, n), then the ``n_converge`` best
    (distinct) run to convergence."""
    lower, upper = model.spec.bounds()
    if screen_steps:
        screened = newton_finish_batch(model, starts, lower, upper, max_steps=screen_steps)
        starts = np.stack([r.params for r in screened])
    chosen = candidates(model.loglik_batch(starts), n_converge)
    return newton_finish_batch(model, starts[chosen], lower, upper)


def _fit(
    data: TrajectoryData,
    spec: ModelSpec,
    basis: PolyBasis | None,
    n_starts: int,
    seed: int,
    search: Search,
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
    lower, upper = spec.bounds()
    starts = np.stack([random_start(sub, rng) for _ in range(n_starts)])
    starts = short_em(sub, starts, search.em_steps)
    runs = converge_best(sub, starts, search.screen_steps, search.n_converge)
    if spec.n_groups > 1 and search.n_reseed:
        best = max(runs, key=lambda r: r.loglik)
        runs += newton_finish_batch(
            sub, reseeded_starts(sub, best.params, search.n_reseed), lower, upper
        )
    runs.sort(key=lambda r: -r.loglik)
    logliks = [r.loglik for r in runs]
    best = runs[0]
    if sub is not full:
        # finish the best few distinct optima of the subsample on all persons
        finals = newton_finish_batch(
            full, np.stack([r.params for r in _distinct_runs(runs)[:n_polish]]), lower, upper
        )
        best = max(finals, key=lambda r: r.loglik)
    best_x = _canonical(full, best.params)
    return FitResult(
        spec=spec,
        basis=basis,
        params=best_x,
        loglik=full.loglik(best_x),
        n_persons=data.n_persons,
        n_obs=data.n_obs,
        n_starts=n_starts,
        n_converged=sum(r.converged for r in runs),
        n_distinct_optima=len(_distinct(logliks)),
        n_at_best=sum(1 for ll in logliks if logliks[0] - ll < OPTIMUM_TOLERANCE),
        start_logliks=logliks,
        cov=covariance(full, best_x) if with_se else None,
    )


def _distinct_runs(runs: list[Finish]) -> list[Finish]:
    """The runs (sorted best first) with the first of each distinct log-likelihood."""
    out: list[Finish] = []
    for r in runs:
        if not out or out[-1].loglik - r.loglik > OPTIMUM_TOLERANCE:
            out.append(r)
    return out


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
