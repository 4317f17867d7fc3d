"""The second-order finish of a fit: Newton steps on the full log-likelihood within bounds.

Each step solves with the analytic Hessian of the log-likelihood over the parameters that are
free (not at a bound the gradient pushes against). Where the Hessian is not negative definite
(far from an optimum, or along a flat direction) its eigenvalues are mirrored and floored, so
the step still goes uphill. The step is projected onto the bounds and halved until the
log-likelihood does not fall, so a finish never ends below where it started. Two things keep
flat tails of the likelihood (a zero inflation or a share running off to zero, where Newton
steps only creep) from taking many steps: a parameter far out in such a tail is tried at its
bound, and a full step that raises the log-likelihood is doubled while it keeps raising it.

Many vectors are finished together as one batch; each stops on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gbtm.model import TrajectoryModel

#: Converged: the largest entry of the projected gradient is at most this.
GRADIENT_TOLERANCE = 1e-6
#: A Newton step that raises log L by less than STALL is a stall; after STALLS of them in a
#: row the likelihood is flat there (e.g. an empty group) and the finish stops, converged if
#: the projected gradient is at most STALLED_TOLERANCE.
STALL = 1e-9
STALLS = 3
STALLED_TOLERANCE = 1e-4
#: A parameter beyond this share of its bound, pushed further out by the gradient, is tried at
#: its bound.
TAIL = 0.5
#: Eigenvalues of the negative Hessian are floored at this share of the largest.
EIGEN_FLOOR = 1e-12
#: A parameter this close to a bound is at it.
AT_BOUND = 1e-6
MAX_STEPS = 200
MAX_HALVINGS = 40
MAX_DOUBLINGS = 10


@dataclass(frozen=True)
class Finish:
    params: np.ndarray
    loglik: float
    converged: bool
    steps: int
    gradient: float  # largest entry of the projected gradient at the end


def projected_gradient(
    x: np.ndarray, grad: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """The gradient with the entries of parameters held at a bound by it (within
    ``AT_BOUND``) set to zero."""
    held = ((x <= lower + AT_BOUND) & (grad < 0)) | ((x >= upper - AT_BOUND) & (grad > 0))
    return np.where(held, 0.0, grad)


def newton_finish(
    model: TrajectoryModel,
    x0: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    tolerance: float = GRADIENT_TOLERANCE,
    max_steps: int = MAX_STEPS,
) -> Finish:
    """Newton steps from ``x0`` (clipped to the bounds): ``newton_finish_batch`` of one."""
    return newton_finish_batch(
        model, x0[None], lower, upper, tolerance=tolerance, max_steps=max_steps
    )[0]


def newton_finish_batch(
    model: TrajectoryModel,
    x0: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    tolerance: float = GRADIENT_TOLERANCE,
    max_steps: int = MAX_STEPS,
) -> list[Finish]:
    """Newton steps from every row of ``x0`` (S, n), each until its projected gradient is at
    most ``tolerance``, its log-likelihood stalls (see ``STALL``), or ``max_steps``."""
    x = np.clip(x0, lower, upper)
    ll = model.loglik_batch(x)
    size = np.full(len(x), np.inf)
    steps = np.zeros(len(x), dtype=int)
    stalls = np.zeros(len(x), dtype=int)
    converged = np.zeros(len(x), dtype=bool)
    active = np.arange(len(x))
    for _ in range(max_steps):
        if len(active) == 0:
            break
        xa = x[active]
        lla, grad, hess = model.derivatives_batch(xa)
        ll[active] = lla
        pg = projected_gradient(xa, grad, lower, upper)
        size[active] = np.max(np.abs(pg), axis=1, initial=0.0)
        done = size[active] <= tolerance
        converged[active[done]] = True
        moved = np.zeros(len(active), dtype=bool)
        # flat tails first: the parameters far out, moved to their bound
        tail = ~done & _to_bounds(model, xa, lla, pg, lower, upper)
        moved |= tail
        # a Newton step for the others
        rest = ~done & ~tail
        if rest.any():
            rows = np.flatnonzero(rest)
            d = _directions(hess[rows], pg[rows])
            new_x, new_ll, ok = _line_search(model, xa[rows], lla[rows], d, lower, upper)
            small = new_ll - lla[rows] < STALL
            xa[rows[ok]] = new_x[ok]
            lla[rows[ok]] = new_ll[ok]
            stalls[active[rows]] = np.where(small, stalls[active[rows]] + 1, 0)
            stop = rows[~ok | (stalls[active[rows]] >= STALLS)]
            converged[active[stop]] = size[active[stop]] <= STALLED_TOLERANCE
            done[stop] = True
            moved[np.setdiff1d(rows, stop)] = True
        x[active] = xa
        ll[active] = lla
        steps[active[moved]] += 1
        active = active[moved]
    if len(active):
        _, grad, _ = model.derivatives_batch(x[active], hessian=False)
        size[active] = np.max(np.abs(projected_gradient(x[active], grad, lower, upper)), axis=1)
        converged[active] = size[active] <= tolerance
    return [
        Finish(x[i], float(ll[i]), bool(converged[i]), int(steps[i]), float(size[i]))
        for i in range(len(x))
    ]


def _to_bounds(
    model: TrajectoryModel,
    x: np.ndarray,
    ll: np.ndarray,
    pg: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> np.ndarray:
    """Rows whose parameters in a flat tail (beyond ``TAIL`` of their bound, the gradient
    pushing them further) were moved to their bound (x changed in place), because that did not
    lower the log-likelihood; there Newton steps would creep on for many iterations."""
    down = (pg < 0) & (x <= TAIL * lower)
    up = (pg > 0) & (x >= TAIL * upper)
    rows = np.flatnonzero((down | up).any(axis=1))
    out = np.zeros(len(x), dtype=bool)
    if len(rows) == 0:
        return out
    cand = np.where(down[rows], lower, np.where(up[rows], upper, x[rows]))
    value = model.loglik_batch(cand)
    ok = np.isfinite(value) & (value >= ll[rows])
    x[rows[ok]] = cand[ok]
    ll[rows[ok]] = value[ok]
    out[rows[ok]] = True
    return out


def _directions(hess: np.ndarray, pg: np.ndarray) -> np.ndarray:
    """Newton directions -H^-1 g over the free parameters of each row (pg nonzero), with H's
    eigenvalues made negative (mirrored where positive, floored where near zero) so that each
    step goes uphill."""
    held = pg == 0
    neg = -hess.copy()
    neg[held[:, :, None] | held[:, None, :]] = 0.0
    rows, cols = np.nonzero(held)
    neg[rows, cols, cols] = 1.0
    vals, vecs = np.linalg.eigh(neg)
    top = np.max(np.abs(vals), axis=1, keepdims=True)
    vals = np.maximum(np.abs(vals), np.maximum(EIGEN_FLOOR * top, 1e-300))
    coef = np.einsum("sji,sj->si", vecs, pg) / vals
    return np.einsum("sij,sj->si", vecs, coef)


def _line_search(
    model: TrajectoryModel,
    x: np.ndarray,
    ll: np.ndarray,
    direction: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the step along ``direction`` (projected onto the bounds): the full step,
    halved until the log-likelihood is not below ``ll``; when the full step is taken, doubled
    as long as the log-likelihood keeps rising (a flat tail, where Newton steps would only
    creep). Returns the new points, their log-likelihoods and which rows moved."""
    new_x, new_ll = x.copy(), ll.copy()
    ok = np.zeros(len(x), dtype=bool)
    t = np.ones(len(x))
    pending = np.arange(len(x))
    for _ in range(MAX_HALVINGS):
        cand = np.clip(x[pending] + t[pending, None] * direction[pending], lower, upper)
        still = ~np.all(cand == x[pending], axis=1)
        pending, cand = pending[still], cand[still]
        if len(pending) == 0:
            break
        value = model.loglik_batch(cand)
        good = np.isfinite(value) & (value >= ll[pending])
        new_x[pending[good]] = cand[good]
        new_ll[pending[good]] = value[good]
        ok[pending[good]] = True
        pending = pending[~good]
        t[pending] /= 2
    growing = np.flatnonzero(ok & (t == 1.0))
    for _ in range(MAX_DOUBLINGS):
        if len(growing) == 0:
            break
        t[growing] *= 2
        cand = np.clip(x[growing] + t[growing, None] * direction[growing], lower, upper)
        value = model.loglik_batch(cand)
        good = ~np.all(cand == new_x[growing], axis=1) & np.isfinite(value)
        good &= value > new_ll[growing]
        new_x[growing[good]] = cand[good]
        new_ll[growing[good]] = value[good]
        growing = growing[good]
    return new_x, new_ll, ok
