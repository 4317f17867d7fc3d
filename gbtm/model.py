"""The likelihood of a group-based trajectory model, its analytic gradient and Hessian, and EM.

Person i in group k has, at each observed age a with count y and exposure e,
``y ~ ZIP(omega_k(a), lambda_k(a))`` with ``log lambda_k(a) = x(a) beta_k + log e`` and
``logit omega_k(a) = z(a) gamma_k`` (plain Poisson: omega = 0). Counts of one person are
independent given the group; the groups have shares ``pi = softmax(theta, 0)``. The parameter
vector is ``theta (K-1), then per group beta_k (p), gamma_k (q, ZIP only)``.

Every computation runs on a batch of S parameter vectors at once, so that many random starts
cost one set of numpy calls; the one-vector methods are the batch of one. Observations share
few distinct (age, count, exposure) cells: log f is computed once per cell, group and vector
(arrays (C, S, K)) and a sparse person x cell matrix sums it per person ((N, S, K)).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.special import gammaln

from gbtm.basis import PolyBasis
from gbtm.data import TrajectoryData

FAMILIES = ("zip", "poisson")
#: Bounds keep a zero-inflation logit or a share logit that runs off to infinity finite.
THETA_BOUND = 15.0
GAMMA_BOUND = 20.0
BETA_BOUND = 15.0
#: Persons per chunk when the Hessian's per-person outer products are summed (bounds memory).
HESSIAN_CHUNK = 20_000
#: A batch is evaluated in chunks of about this many (person or cell) x group values per chunk:
#: larger chunks fall out of the processor's cache and run slower per vector.
CHUNK_VALUES = 40_000


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

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of every parameter (THETA_, BETA_ and GAMMA_BOUND)."""
        group = [BETA_BOUND] * self.p + [GAMMA_BOUND] * self.q
        upper = np.array([THETA_BOUND] * (self.n_groups - 1) + group * self.n_groups)
        return -upper, upper

    def param_names(self) -> list[tuple[int, str]]:
        """(group, name) of each parameter; group 0 for the share logits (theta)."""
        names = [(k + 1, "theta") for k in range(self.n_groups - 1)]
        for k in range(self.n_groups):
            names += [(k + 1, f"beta{j}") for j in range(self.p)]
            names += [(k + 1, f"gamma{j}") for j in range(self.q)]
        return names


@dataclass(frozen=True)
class Params:
    """Parameters of one vector ((K,), (K, p), (K, q)) or of a batch ((S, K), (S, K, p), ...)."""

    log_pi: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray


@dataclass(frozen=True)
class CellTerms:
    """Per cell, vector and group (arrays (C, S, K)): log f; ``struct``, the posterior
    probability that a count is a structural zero (0 for a positive count or a Poisson model);
    and when asked the derivatives of log f in eta (the log rate) and zeta (the zero-inflation
    logit): first (d_eta, d_zeta), second (d_eta2, d_eta_zeta, d_zeta2)."""

    logf: np.ndarray
    struct: np.ndarray
    d_eta: np.ndarray | None = None
    d_zeta: np.ndarray | None = None
    d_eta2: np.ndarray | None = None
    d_eta_zeta: np.ndarray | None = None
    d_zeta2: np.ndarray | None = None


def log_sum_exp(a: np.ndarray, axis: int) -> np.ndarray:
    """log(sum(exp(a))) along ``axis``, shifted by the maximum (plain numpy: scipy's version
    costs far more per call on the small arrays of a fit)."""
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.squeeze(top, axis) + np.log(np.sum(np.exp(a - top), axis=axis))


class TrajectoryModel:
    """Likelihood machinery for one spec on one data set (design matrices precomputed)."""

    def __init__(self, data: TrajectoryData, spec: ModelSpec, basis: PolyBasis) -> None:
        self.data = data
        self.spec = spec
        self.basis = basis
        keys = np.column_stack([data.age, data.count, data.exposure])
        cells, cell = np.unique(keys, axis=0, return_inverse=True)
        # zero counts first, so that the two branches of the ZIP density are two slices
        order = np.argsort(cells[:, 1] > 0, kind="stable")
        cells = cells[order]
        self.cell = np.argsort(order)[cell.ravel()]
        self.n_cells = len(cells)
        self.n_zero = int(np.sum(cells[:, 1] == 0))
        self.X = basis(cells[:, 0], spec.degree)
        self.Z = self.X[:, : spec.q]
        self.F = np.hstack([self.X, self.Z])  # (C, p + q): d eta and d zeta by parameter
        self.y = cells[:, 1]
        self.offset = np.log(cells[:, 2])
        self.lgy = gammaln(self.y + 1.0)
        self.pid = data.person
        self.n = data.n_persons
        # persons x cells: how often each person is observed in each cell
        self.by_person = csr_matrix(
            (np.ones(data.n_obs), (self.pid, self.cell)), shape=(self.n, self.n_cells)
        )
        self.by_cell = self.by_person.T.tocsr()

    # -- parameters -------------------------------------------------------------------------
    def unpack(self, params: np.ndarray) -> Params:
        """Parameters of a vector (n,) or of a batch (S, n)."""
        s = self.spec
        k = s.n_groups
        lead = params.shape[:-1]
        theta = np.concatenate([params[..., : k - 1], np.zeros((*lead, 1))], axis=-1)
        rest = params[..., k - 1 :].reshape(*lead, k, s.p + s.q)
        log_pi = theta - log_sum_exp(theta, axis=-1)[..., None]
        return Params(log_pi=log_pi, beta=rest[..., : s.p], gamma=rest[..., s.p :])

    def pack(self, log_pi: np.ndarray, beta: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        """The inverse of ``unpack`` (one vector or a batch)."""
        theta = (log_pi - log_pi[..., -1:])[..., :-1]
        groups = np.concatenate([beta, gamma], axis=-1)
        return np.concatenate([theta, groups.reshape(*groups.shape[:-2], -1)], axis=-1)

    # -- per-cell pieces --------------------------------------------------------------------
    def linear(self, design: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """design (C, d) times coefficients (S, K, d) -> (C, S, K)."""
        n_s, k_n, d = coef.shape
        return (design @ coef.reshape(-1, d).T).reshape(self.n_cells, n_s, k_n)

    def cell_terms(
        self, beta: np.ndarray, gamma: np.ndarray, order: int = 0, struct: bool = False
    ) -> CellTerms:
        """log f of every cell, vector and group for a batch (beta (S, K, p), gamma (S, K, q)),
        with derivatives up to ``order`` (0, 1 or 2); the structural-zero posterior when
        ``struct`` or ``order`` > 0 (else zeros)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._cell_terms(beta, gamma, order, struct or order > 0)

    def _cell_terms(
        self, beta: np.ndarray, gamma: np.ndarray, order: int, want_struct: bool
    ) -> CellTerms:
        y = self.y[:, None, None]
        eta = self.linear(self.X, beta) + self.offset[:, None, None]
        lam = np.exp(eta)
        logf = y * eta - lam - self.lgy[:, None, None]
        struct = np.zeros_like(eta)
        if self.spec.q == 0:
            if order == 0:
                return CellTerms(logf, struct)
            resid = y - lam
            return CellTerms(logf, struct, resid, None, -lam if order > 1 else None)
        # a constant zero inflation (zi_degree 0) is the same in every cell: (1, S, K)
        zeta = gamma[None, ..., 0] if self.spec.q == 1 else self.linear(self.Z, gamma)
        softplus = np.logaddexp(0.0, zeta)  # log(1 + e^zeta) = -log(1 - omega)
        # a zero: log(omega + (1 - omega) e^-lam) = log(e^zeta + e^-lam) - softplus, and the
        # structural-zero posterior omega / f = e^zeta / (e^zeta + e^-lam)
        z = slice(0, self.n_zero)
        zeta_z = zeta if self.spec.q == 1 else zeta[z]
        either = np.logaddexp(zeta_z, -lam[z])
        logf[z] = either
        logf -= softplus
        if want_struct:
            struct[z] = np.exp(zeta_z - either)
        if order == 0:
            return CellTerms(logf, struct)
        resid = y - lam
        omega = np.exp(zeta - softplus)
        not_struct = 1.0 - struct
        d_eta = not_struct * resid
        d_zeta = struct - omega
        if order == 1:
            return CellTerms(logf, struct, d_eta, d_zeta)
        vs = struct * not_struct
        return CellTerms(
            logf,
            struct,
            d_eta,
            d_zeta,
            d_eta2=lam * (lam * vs - not_struct),
            d_eta_zeta=-resid * vs,
            d_zeta2=vs - omega * (1.0 - omega),
        )

    def person_sums(self, cells: np.ndarray) -> np.ndarray:
        """(C, ...) per cell -> (N, ...): the sum over each person's observations."""
        return (self.by_person @ cells.reshape(self.n_cells, -1)).reshape(self.n, *cells.shape[1:])

    def cell_sums(self, persons: np.ndarray) -> np.ndarray:
        """(N, ...) per person -> (C, ...): the sum over the observations in each cell."""
        return (self.by_cell @ persons.reshape(self.n, -1)).reshape(
            self.n_cells, *persons.shape[1:]
        )

    # -- batch: joint, likelihood, posterior ------------------------------------------------
    def joint_batch(self, params: np.ndarray) -> np.ndarray:
        """(N, S, K): log pi_k + log P(history of person i | group k) for a batch (S, n)."""
        p = self.unpack(params)
        return self.person_sums(self.cell_terms(p.beta, p.gamma).logf) + p.log_pi

    def chunk_rows(self) -> int:
        """Vectors per chunk of a batch (see CHUNK_VALUES)."""
        return max(1, CHUNK_VALUES // (self.spec.n_groups * max(self.n, self.n_cells)))

    def loglik_batch(self, params: np.ndarray) -> np.ndarray:
        """(S,) log-likelihoods of a batch (S, n)."""
        rows = self.chunk_rows()
        return np.concatenate(
            [
                log_sum_exp(self.joint_batch(params[lo : lo + rows]), axis=-1).sum(axis=0)
                for lo in range(0, len(params), rows)
            ]
        )

    def em_step_batch(self, params: np.ndarray) -> np.ndarray:
        """One generalised EM step of every vector of a batch (S, n): the M-step takes one
        guarded Newton step per group and part, each of which increases the expected
        complete-data log-likelihood, so no vector's likelihood decreases."""
        rows = self.chunk_rows()
        return np.concatenate(
            [self._em_step(params[lo : lo + rows]) for lo in range(0, len(params), rows)]
        )

    def _em_step(self, params: np.ndarray) -> np.ndarray:
        s = self.spec
        p = self.unpack(params)
        terms = self.cell_terms(p.beta, p.gamma, struct=True)
        joint = self.person_sums(terms.logf) + p.log_pi
        w = np.exp(joint - log_sum_exp(joint, axis=-1)[..., None])  # (N, S, K)
        log_pi = np.log(np.maximum(w.mean(axis=0), 1e-300))
        wk = self.cell_sums(w).reshape(self.n_cells, -1)  # (C, S*K)
        gamma = p.gamma
        if s.q:
            struct = terms.struct.reshape(self.n_cells, -1)
            gamma = _newton_logistic(
                self.Z, wk, struct, p.gamma.reshape(-1, s.q)
            ).reshape(p.gamma.shape)
            wk = wk * (1.0 - struct)
        beta = _newton_poisson(
            self.X, self.offset, self.y, wk, p.beta.reshape(-1, s.p)
        ).reshape(p.beta.shape)
        return self.pack(log_pi, beta, gamma)

    # -- one vector -------------------------------------------------------------------------
    def joint(self, params: np.ndarray) -> np.ndarray:
        """(N, K): log pi_k + log P(history of person i | group k)."""
        return self.joint_batch(params[None])[:, 0]

    def loglik(self, params: np.ndarray) -> float:
        return float(self.loglik_batch(params[None])[0])

    def posterior(self, params: np.ndarray) -> np.ndarray:
        """(N, K) posterior group probabilities."""
        j = self.joint(params)
        return np.exp(j - log_sum_exp(j, axis=1)[:, None])

    def em_step(self, params: np.ndarray) -> np.ndarray:
        """One generalised EM step (``em_step_batch`` of a batch of one)."""
        return self.em_step_batch(params[None])[0]

    def loglik_grad(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and its analytic gradient."""
        ll, grad, _ = self.derivatives_batch(params[None], hessian=False)
        return float(ll[0]), grad[0]

    def loglik_grad_hess(self, params: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Log-likelihood, its analytic gradient and its analytic Hessian."""
        ll, grad, hess = self.derivatives_batch(params[None], hessian=True)
        assert hess is not None
        return float(ll[0]), grad[0], hess[0]

    def derivatives_batch(
        self, params: np.ndarray, hessian: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Log-likelihoods (S,), analytic gradients (S, n) and Hessians (S, n, n) of a batch."""
        rows = self.chunk_rows()
        parts = [
            self._derivatives(params[lo : lo + rows], hessian)
            for lo in range(0, len(params), rows)
        ]
        ll, grad, hess = zip(*parts, strict=True)
        return (
            np.concatenate(ll),
            np.concatenate(grad),
            np.concatenate(hess) if hessian else None,
        )

    def _derivatives(
        self, params: np.ndarray, hessian: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``derivatives_batch`` of one chunk.

        With J_ik = log pi_k + L_ik (L_ik: log P(history of i | group k)), w_ik the posterior
        and G_ik the gradient of J_ik in all parameters: the gradient is sum_i gbar_i with
        gbar_i = sum_k w_ik G_ik, and the Hessian sum_i sum_k w_ik (d2 J_ik + G_ik G_ik')
        - sum_i gbar_i gbar_i'. G_ik has the share part E_k = d log pi_k / d theta and, in
        group k's block only, the person's score s_ik (d L_ik by that group's parameters).
        """
        s = self.spec
        k_n, m = s.n_groups, s.p + s.q
        n_s = len(params)
        p = self.unpack(params)
        terms = self.cell_terms(p.beta, p.gamma, order=2 if hessian else 1)
        joint = self.person_sums(terms.logf) + p.log_pi  # (N, S, K)
        lse = log_sum_exp(joint, axis=-1)
        w = np.exp(joint - lse[..., None])
        pi = np.exp(p.log_pi)
        pt = pi[:, : k_n - 1]
        d_cell = self._by_parameter(terms.d_eta, terms.d_zeta)  # (C, S, K, m)
        wk = self.cell_sums(w)  # (C, S, K)
        grad_groups = np.einsum("csk,cskm->skm", wk, d_cell)
        w_total = w.sum(axis=0)  # (S, K)
        grad = np.concatenate(
            [(w_total - self.n * pi)[:, : k_n - 1], grad_groups.reshape(n_s, -1)], axis=1
        )
        if not hessian:
            return lse.sum(axis=0), grad, None
        n_par = s.n_params
        groups = slice(k_n - 1, None)
        share = np.eye(k_n)[None, :, : k_n - 1] - pt[:, None, :]  # E: (S, K, K-1)
        hess = np.zeros((n_s, n_par, n_par))
        # shares: d2 log pi_k / d theta2 = -(diag(pi) - pi pi') for every k; sum_k W_k E_k E_k'
        hess[:, : k_n - 1, : k_n - 1] = (
            -self.n * (_diag(pt) - pt[:, :, None] * pt[:, None, :])
            + np.einsum("sk,ska,skb->sab", w_total, share, share)
        )
        # shares x group k: E_k (sum_i w_ik s_ik)'
        cross = share[:, :, :, None] * grad_groups[:, :, None, :]  # (S, K, K-1, m)
        hess[:, : k_n - 1, groups] = cross.transpose(0, 2, 1, 3).reshape(n_s, k_n - 1, k_n * m)
        hess[:, groups, : k_n - 1] = hess[:, : k_n - 1, groups].transpose(0, 2, 1)
        # within group k: sum over cells of wk d2 log f, plus sum_i w_ik s_ik s_ik'
        scores = self.person_sums(d_cell)  # (N, S, K, m)
        weighted = scores * w[..., None]
        within = self._second_by_parameter(terms, wk)
        within += np.matmul(
            weighted.reshape(self.n, -1, m).transpose(1, 2, 0),
            scores.reshape(self.n, -1, m).transpose(1, 0, 2),
        ).reshape(n_s, k_n, m, m)
        for k in range(k_n):
            at = k_n - 1 + k * m
            hess[:, at : at + m, at : at + m] += within[:, k]
        # minus sum_i gbar_i gbar_i', gbar_i = (w_i - pi, w_i1 s_i1, ..., w_iK s_iK)
        weighted = weighted.reshape(self.n, n_s, k_n * m)
        for lo in range(0, self.n, HESSIAN_CHUNK):
            hi = min(lo + HESSIAN_CHUNK, self.n)
            gbar = np.concatenate([w[lo:hi, :, : k_n - 1] - pt, weighted[lo:hi]], axis=-1)
            gbar = gbar.transpose(1, 0, 2)  # (S, persons, n)
            hess -= gbar.transpose(0, 2, 1) @ gbar
        return lse.sum(axis=0), grad, (hess + hess.transpose(0, 2, 1)) / 2

    def _by_parameter(self, d_eta: np.ndarray, d_zeta: np.ndarray | None) -> np.ndarray:
        """(C, S, K) derivatives in eta and zeta -> (C, S, K, p + q) by parameter."""
        parts = [d_eta[..., None] * self.X[:, None, None, :]]
        if d_zeta is not None and self.spec.q:
            parts.append(d_zeta[..., None] * self.Z[:, None, None, :])
        return np.concatenate(parts, axis=-1)

    def _second_by_parameter(self, terms: CellTerms, wk: np.ndarray) -> np.ndarray:
        """(S, K, m, m): sum over cells of wk times the second derivatives of log f by
        parameter (m = p + q)."""
        s = self.spec
        m = s.p + s.q
        outer = (self.F[:, :, None] * self.F[:, None, :]).reshape(self.n_cells, -1)
        kind = np.zeros((m, m), dtype=int)  # 0: eta eta, 1: eta zeta, 2: zeta zeta
        kind[: s.p, s.p :] = kind[s.p :, : s.p] = 1
        kind[s.p :, s.p :] = 2
        n_s, k_n = wk.shape[1:]
        out = np.zeros((n_s * k_n, m * m))
        for j, coef in enumerate([terms.d_eta2, terms.d_eta_zeta, terms.d_zeta2]):
            mask = (kind == j).ravel()
            if coef is not None and mask.any():
                out[:, mask] = ((wk * coef).reshape(self.n_cells, -1).T @ outer)[:, mask]
        return out.reshape(n_s, k_n, m, m)


def _diag(v: np.ndarray) -> np.ndarray:
    """(S, d) -> (S, d, d) diagonal matrices."""
    out = np.zeros((*v.shape, v.shape[-1]))
    idx = np.arange(v.shape[-1])
    out[..., idx, idx] = v
    return out


def _newton_poisson(
    x: np.ndarray, offset: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """One guarded Newton step per column of w (C, M) on sum_c w (y eta - exp eta),
    eta = x b + offset, for b (M, p)."""

    def q(beta: np.ndarray, rows: np.ndarray) -> np.ndarray:
        eta = x @ beta.T + offset[:, None]
        return np.sum(w[:, rows] * (y[:, None] * eta - np.exp(eta)), axis=0)

    eta = x @ b.T + offset[:, None]
    mu = np.exp(eta)
    base = np.sum(w * (y[:, None] * eta - mu), axis=0)
    g = ((y[:, None] - mu) * w).T @ x
    h = np.einsum("cm,ca,cb->mab", w * mu, x, x, optimize=True)
    return _guarded_steps(q, b, base, g, h)


def _newton_logistic(z: np.ndarray, w: np.ndarray, t: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The M-step of the zero-inflation logit per column of w (C, M): maximise
    sum_c w (t zeta - log(1 + e^zeta)), zeta = z c, for c (M, q). For a constant (z a column of
    ones) the maximiser is the logit of the weighted share of structural zeros; otherwise one
    guarded Newton step."""
    if z.shape[1] == 1:
        total = w.sum(axis=0)
        share = np.where(total > 0, (w * t).sum(axis=0) / np.where(total > 0, total, 1.0), 0.5)
        share = np.clip(share, 1e-300, 1.0 - 1e-16)
        return (np.log(share) - np.log1p(-share))[:, None]

    def q(cc: np.ndarray, rows: np.ndarray) -> np.ndarray:
        zeta = z @ cc.T
        return np.sum(w[:, rows] * (t[:, rows] * zeta - np.logaddexp(0.0, zeta)), axis=0)

    with np.errstate(over="ignore"):
        pr = 1.0 / (1.0 + np.exp(-(z @ c.T)))
    g = (w * (t - pr)).T @ z
    h = np.einsum("cm,ca,cb->mab", w * pr * (1.0 - pr), z, z, optimize=True)
    return _guarded_steps(q, c, q(c, np.arange(len(c))), g, h)


def _guarded_steps(
    q: Callable[[np.ndarray, np.ndarray], np.ndarray],
    b: np.ndarray,
    base: np.ndarray,
    g: np.ndarray,
    h: np.ndarray,
) -> np.ndarray:
    """Newton steps b + H^-1 g on concave objectives (one per row of b: q(values, rows) gives
    those rows' objectives; ``base`` = q(b)), each halved until the objective does not fall; a
    row keeps b when no step helps."""
    d = b.shape[-1]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        bad = ~(np.isfinite(h).all(axis=(-2, -1)) & np.isfinite(g).all(axis=-1))
        h = np.where(bad[:, None, None], np.eye(d), h)
        g = np.where(bad[:, None], 0.0, g)
        step = _solve(h + 1e-10 * np.eye(d), g)
        out = b.copy()
        pending = np.arange(len(b))
        for _ in range(30):
            cand = b[pending] + step[pending]
            value = q(cand, pending)
            ok = np.isfinite(cand).all(axis=-1) & (value >= base[pending])
            out[pending[ok]] = cand[ok]
            pending = pending[~ok]
            if len(pending) == 0:
                break
            step[pending] /= 2
    return out


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solutions of a batch of systems a x = b ((M, d, d), (M, d)); zero where a row's matrix
    is singular."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.zeros_like(b)
        for i in range(len(b)):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[i] = np.linalg.solve(a[i], b[i])
        return out
