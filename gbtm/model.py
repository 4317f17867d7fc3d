"""The likelihood of a group-based trajectory model, its analytic gradient and EM steps.

Person i in group k has, at each observed age a with count y and exposure e,
``y ~ ZIP(omega_k(a), lambda_k(a))`` with ``log lambda_k(a) = x(a) beta_k + log e`` and
``logit omega_k(a) = z(a) gamma_k`` (plain Poisson: omega = 0). Counts of one person are
independent given the group; the groups have shares ``pi = softmax(theta, 0)``. The parameter
vector is ``theta (K-1), then per group beta_k (p), gamma_k (q, ZIP only)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, gammaln, logsumexp

from gbtm.basis import PolyBasis
from gbtm.data import TrajectoryData

FAMILIES = ("zip", "poisson")


@dataclass(frozen=True)
class ModelSpec:
    """K groups; polynomial degree of the log rate; ZIP or Poisson; degree of the logit zero
    inflation (0 = a constant per group)."""

    n_groups: int
    degree: int = 3
    family: str = "zip"
    zi_degree: int = 0

    def __post_init__(self) -> None:
        if self.n_groups < 1:
            raise ValueError("n_groups must be >= 1")
        if not 0 <= self.degree <= 3:
            raise ValueError("degree must be 0..3")
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}")
        if not 0 <= self.zi_degree <= self.degree:
            raise ValueError("zi_degree must be 0..degree")

    @property
    def p(self) -> int:
        return self.degree + 1

    @property
    def q(self) -> int:
        return self.zi_degree + 1 if self.family == "zip" else 0

    @property
    def n_params(self) -> int:
        return self.n_groups - 1 + self.n_groups * (self.p + self.q)

    def param_names(self) -> list[tuple[int, str]]:
        """(group, name) of each parameter; group 0 for the share logits (theta)."""
        names = [(k + 1, "theta") for k in range(self.n_groups - 1)]
        for k in range(self.n_groups):
            names += [(k + 1, f"beta{j}") for j in range(self.p)]
            names += [(k + 1, f"gamma{j}") for j in range(self.q)]
        return names


@dataclass(frozen=True)
class Params:
    log_pi: np.ndarray  # (K,)
    beta: np.ndarray  # (K, p)
    gamma: np.ndarray  # (K, q)


class TrajectoryModel:
    """Likelihood machinery for one spec on one data set (design matrices precomputed)."""

    def __init__(self, data: TrajectoryData, spec: ModelSpec, basis: PolyBasis) -> None:
        self.data = data
        self.spec = spec
        self.basis = basis
        # Observations share few distinct (age, count, exposure) cells: compute each group's
        # log f once per cell and gather it per observation.
        keys = np.column_stack([data.age, data.count, data.exposure])
        cells, self.cell = np.unique(keys, axis=0, return_inverse=True)
        self.cell = self.cell.ravel()
        self.n_cells = len(cells)
        self.X = basis(cells[:, 0], spec.degree)
        self.Z = self.X[:, : spec.q]
        self.y = cells[:, 1]
        self.offset = np.log(cells[:, 2])
        self.lgy = gammaln(self.y + 1.0)
        self.zero = self.y == 0
        self.pid = data.person
        self.n = data.n_persons

    def _cell_weights(self, w_person: np.ndarray) -> np.ndarray:
        """Sum over the observations of each cell of their person's weight."""
        return np.bincount(self.cell, w_person[self.pid], minlength=self.n_cells)

    def _person_sum(self, logf_cells: np.ndarray) -> np.ndarray:
        return np.bincount(self.pid, logf_cells[self.cell], minlength=self.n)

    # -- parameters -------------------------------------------------------------------------
    def unpack(self, params: np.ndarray) -> Params:
        s = self.spec
        k = s.n_groups
        theta = np.append(params[: k - 1], 0.0)
        rest = params[k - 1 :].reshape(k, s.p + s.q)
        return Params(log_pi=theta - logsumexp(theta), beta=rest[:, : s.p], gamma=rest[:, s.p :])

    def pack(self, log_pi: np.ndarray, beta: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        theta = (log_pi - log_pi[-1])[:-1]
        return np.concatenate([theta, np.hstack([beta, gamma]).ravel()])

    # -- per-observation pieces -------------------------------------------------------------
    def _obs(self, beta: np.ndarray, gamma: np.ndarray, grad: bool):
        """log f of every cell for one group, and d log f / d eta, d log f / d zeta."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._obs_cells(beta, gamma, grad)

    def _obs_cells(self, beta: np.ndarray, gamma: np.ndarray, grad: bool):
        eta = self.X @ beta + self.offset
        lam = np.exp(eta)
        if self.spec.q == 0:
            logf = self.y * eta - lam - self.lgy
            return logf, (self.y - lam if grad else None), None
        zeta = self.Z @ gamma
        log_omega = -np.logaddexp(0.0, -zeta)
        log_1m = -np.logaddexp(0.0, zeta)
        logf = np.where(
            self.zero,
            np.logaddexp(log_omega, log_1m - lam),
            log_1m + self.y * eta - lam - self.lgy,
        )
        if not grad:
            return logf, None, None
        d_eta = np.where(self.zero, -np.exp(log_1m - lam - logf) * lam, self.y - lam)
        d_zeta = np.where(
            self.zero,
            np.exp(log_omega + log_1m - logf) * (-np.expm1(-lam)),
            -np.exp(log_omega),
        )
        return logf, d_eta, d_zeta

    def joint(self, params: np.ndarray) -> np.ndarray:
        """(N, K): log pi_k + log P(history of person i | group k)."""
        p = self.unpack(params)
        out = np.empty((self.n, self.spec.n_groups))
        for k in range(self.spec.n_groups):
            logf, _, _ = self._obs(p.beta[k], p.gamma[k], grad=False)
            out[:, k] = self._person_sum(logf) + p.log_pi[k]
        return out

    # -- likelihood, gradient, posterior ----------------------------------------------------
    def loglik(self, params: np.ndarray) -> float:
        return float(logsumexp(self.joint(params), axis=1).sum())

    def posterior(self, params: np.ndarray) -> np.ndarray:
        """(N, K) posterior group probabilities."""
        j = self.joint(params)
        return np.exp(j - logsumexp(j, axis=1, keepdims=True))

    def loglik_grad(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and its analytic gradient."""
        s = self.spec
        p = self.unpack(params)
        k_n = s.n_groups
        joint = np.empty((self.n, k_n))
        pieces = []
        for k in range(k_n):
            logf, d_eta, d_zeta = self._obs(p.beta[k], p.gamma[k], grad=True)
            joint[:, k] = self._person_sum(logf) + p.log_pi[k]
            pieces.append((d_eta, d_zeta))
        lse = logsumexp(joint, axis=1)
        w = np.exp(joint - lse[:, None])
        pi = np.exp(p.log_pi)
        grad_theta = (w - pi).sum(axis=0)[: k_n - 1]
        blocks = []
        for k in range(k_n):
            wk = self._cell_weights(w[:, k])
            d_eta, d_zeta = pieces[k]
            blocks.append(self.X.T @ (wk * d_eta))
            if s.q:
                blocks.append(self.Z.T @ (wk * d_zeta))
        return float(lse.sum()), np.concatenate([grad_theta, *blocks])

    # -- EM ---------------------------------------------------------------------------------
    def em_step(self, params: np.ndarray) -> np.ndarray:
        """One generalised EM step: the M-step takes one guarded Newton step per group and part,
        each of which increases the expected complete-data log-likelihood, so the likelihood
        never decreases."""
        s = self.spec
        p = self.unpack(params)
        w = self.posterior(params)
        log_pi = np.log(np.maximum(w.mean(axis=0), 1e-300))
        beta = p.beta.copy()
        gamma = p.gamma.copy()
        for k in range(s.n_groups):
            wk = self._cell_weights(w[:, k])
            if s.q:
                eta = self.X @ beta[k] + self.offset
                zeta = self.Z @ gamma[k]
                # posterior probability that a zero is a structural zero
                log_omega = -np.logaddexp(0.0, -zeta)
                log_1m = -np.logaddexp(0.0, zeta)
                lz = log_omega - np.logaddexp(log_omega, log_1m - np.exp(eta))
                struct = np.where(self.zero, np.exp(lz), 0.0)
                gamma[k] = _newton_logistic(self.Z, wk, struct, gamma[k])
                wk = wk * (1.0 - struct)
            beta[k] = _newton_poisson(self.X, self.offset, self.y, wk, beta[k])
        return self.pack(log_pi, beta, gamma)


def _newton_poisson(
    x: np.ndarray, offset: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """One Newton step (halved until it improves) on sum w (y eta - exp eta), eta = x b + offset."""

    def q(beta: np.ndarray) -> float:
        eta = x @ beta + offset
        return float(np.sum(w * (y * eta - np.exp(eta))))

    eta = x @ b + offset
    mu = np.exp(eta)
    g = x.T @ (w * (y - mu))
    h = (x * (w * mu)[:, None]).T @ x
    return _guarded_step(q, b, g, h)


def _newton_logistic(z: np.ndarray, w: np.ndarray, t: np.ndarray, c: np.ndarray) -> np.ndarray:
    """One guarded Newton step on sum w (t zeta - log(1 + e^zeta)), zeta = z c."""

    def q(cc: np.ndarray) -> float:
        zeta = z @ cc
        return float(np.sum(w * (t * zeta - np.logaddexp(0.0, zeta))))

    pr = expit(z @ c)
    g = z.T @ (w * (t - pr))
    h = (z * (w * pr * (1 - pr))[:, None]).T @ z
    return _guarded_step(q, c, g, h)


def _guarded_step(q, b: np.ndarray, g: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Newton step b + H^-1 g on a concave q, halved until q does not fall; b when none helps."""
    try:
        step = np.linalg.solve(h + 1e-10 * np.eye(len(b)), g)
    except np.linalg.LinAlgError:
        return b
    with np.errstate(over="ignore", invalid="ignore"):
        return _halve(q, b, step)


def _halve(q, b: np.ndarray, step: np.ndarray) -> np.ndarray:
    base = q(b)
    for _ in range(30):
        cand = b + step
        if np.all(np.isfinite(cand)) and q(cand) >= base:
            return cand
        step = step / 2
    return b
