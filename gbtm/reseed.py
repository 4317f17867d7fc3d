"""Reseeding the smallest group on the persons who would gain most from a group of their own.

Models with many groups often have optima in which one tiny group holds one or a few persons
whose histories no other group fits (on the default extracts the best K = 6 model has a group
of one person). Random starts reach such an optimum rarely, since it needs the one right person
singled out. A split-and-merge move in the manner of Ueda et al. (2000) reaches it directly: the
smallest group of the best fit is replaced by a curve fitted to one person, for each of the
persons whose own curve beats their part of the fit by most; each variant is then finished by
Newton steps like any other candidate.
"""

from __future__ import annotations

import numpy as np

from gbtm.model import BETA_BOUND, GAMMA_BOUND, TrajectoryModel, _guarded_steps, log_sum_exp

#: Guarded Newton steps of every person's own curve.
OWN_STEPS = 20


def own_curves(model: TrajectoryModel, steps: int = OWN_STEPS) -> tuple[np.ndarray, np.ndarray]:
    """Every person's own Poisson curve in age (N, p) within the bounds, by guarded projected
    Newton steps on their counts alone, and its log-likelihood (N,)."""
    x = model.X[model.cell]
    offset = model.offset[model.cell]
    y = model.y[model.cell]
    pid, n, p = model.pid, model.n, model.spec.p
    lower, upper = -BETA_BOUND, BETA_BOUND

    def objective(beta: np.ndarray) -> np.ndarray:
        eta = np.sum(x * beta[pid], axis=1) + offset
        return np.bincount(pid, y * eta - np.exp(eta), minlength=n)

    def q(values: np.ndarray, rows: np.ndarray, beta: np.ndarray) -> np.ndarray:
        trial = beta.copy()
        trial[rows] = np.clip(values, lower, upper)
        return objective(trial)[rows]

    rate = (np.bincount(pid, y, minlength=n) + 0.5) / np.bincount(
        pid, np.exp(offset), minlength=n
    )
    beta = np.zeros((n, p))
    beta[:, 0] = np.clip(np.log(rate), lower, upper)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            mu = np.exp(np.sum(x * beta[pid], axis=1) + offset)
            grad = np.stack(
                [np.bincount(pid, x[:, a] * (y - mu), minlength=n) for a in range(p)], axis=1
            )
            hess = np.stack(
                [
                    np.bincount(pid, x[:, a] * x[:, b] * mu, minlength=n)
                    for a in range(p)
                    for b in range(p)
                ],
                axis=1,
            ).reshape(n, p, p)
            # coefficients at a bound the gradient pushes against stay there
            held = ((beta <= lower) & (grad < 0)) | ((beta >= upper) & (grad > 0))
            grad[held] = 0.0
            hess[held[:, :, None] | held[:, None, :]] = 0.0
            rows, cols = np.nonzero(held)
            hess[rows, cols, cols] = 1.0
            beta = np.clip(
                _guarded_steps(
                    lambda v, r, b=beta: q(v, r, b), beta, objective(beta), grad, hess
                ),
                lower,
                upper,
            )
    lgy = model.lgy[model.cell]
    return beta, objective(beta) - np.bincount(pid, lgy, minlength=n)


def reseeded_starts(
    model: TrajectoryModel, params: np.ndarray, n_persons: int
) -> np.ndarray:
    """Variants of ``params`` (K >= 2) whose smallest group is replaced, for each of the
    ``n_persons`` persons who gain most from a curve of their own, by that person's curve
    (no zero inflation) with a share of one person."""
    own, own_ll = own_curves(model)
    gain = own_ll - log_sum_exp(model.joint(params), axis=1)
    persons = np.argsort(-gain, kind="stable")[:n_persons]
    p = model.unpack(params)
    smallest = int(np.argmin(p.log_pi))
    others = np.arange(model.spec.n_groups) != smallest
    log_pi = p.log_pi.copy()
    log_pi[others] += np.log1p(-1.0 / model.n) - log_sum_exp(log_pi[others], axis=0)
    log_pi[smallest] = -np.log(model.n)
    out = []
    for i in persons:
        beta, gamma = p.beta.copy(), p.gamma.copy()
        beta[smallest] = own[i]
        gamma[smallest] = -GAMMA_BOUND
        out.append(model.pack(log_pi, beta, gamma))
    return np.stack(out)
