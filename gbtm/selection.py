"""Model selection over the number of groups: Nagin's BIC and the adequacy diagnostics.

Nagin's BIC is ``log L - 0.5 k ln N`` with N persons (higher is better); ``bic_obs`` uses the
number of person-ages instead. A model is admissible when every group has an average posterior
probability (AvePP) >= 0.7, odds of correct classification (OCC) >= 5, an estimated share >= 5%
and an assigned share >= 5% (Nagin 2005, ch. 5). Inadmissible models stay in the table, flagged
with the rules they fail; the selected model is the admissible one with the highest BIC.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from gbtm.basis import PolyBasis
from gbtm.data import TrajectoryData
from gbtm.fit import DEFAULT_SEARCH, FitResult, Search, fit_model
from gbtm.model import ModelSpec
from gbtm.threads import single_threaded_blas

MIN_AVEPP = 0.7
MIN_OCC = 5.0
MIN_SHARE = 0.05


@dataclass(frozen=True)
class GroupDiagnostics:
    share: np.ndarray
    assigned_share: np.ndarray
    avepp: np.ndarray
    occ: np.ndarray

    def failures(self) -> list[str]:
        """The admissibility rules the model fails (empty when admissible)."""
        out = []
        if np.any(~(self.avepp >= MIN_AVEPP)):
            out.append(f"AvePP < {MIN_AVEPP}")
        if np.any(~(self.occ >= MIN_OCC)):
            out.append(f"OCC < {MIN_OCC:g}")
        if np.any(self.share < MIN_SHARE):
            out.append(f"share < {MIN_SHARE:.0%}")
        if np.any(self.assigned_share < MIN_SHARE):
            out.append(f"assigned share < {MIN_SHARE:.0%}")
        return out


def assign(posterior: np.ndarray) -> np.ndarray:
    """Maximum-posterior assignment (0-based group index)."""
    return np.argmax(posterior, axis=1)


def diagnostics(shares: np.ndarray, posterior: np.ndarray) -> GroupDiagnostics:
    """AvePP (mean posterior of the assigned among those assigned) and OCC per group:
    OCC_k = [AvePP_k / (1 - AvePP_k)] / [pi_k / (1 - pi_k)]; infinite when AvePP is 1."""
    k_n = posterior.shape[1]
    groups = assign(posterior)
    assigned = np.bincount(groups, minlength=k_n) / len(groups)
    avepp = np.array(
        [posterior[groups == k, k].mean() if np.any(groups == k) else np.nan for k in range(k_n)]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        prior_odds = shares / (1 - shares)
        occ = np.where(avepp >= 1.0, np.inf, (avepp / (1 - avepp)) / prior_odds)
    if k_n == 1:
        occ = np.array([np.inf])
    return GroupDiagnostics(share=shares, assigned_share=assigned, avepp=avepp, occ=occ)


@dataclass
class Selection:
    fits: list[FitResult]
    diagnostics: list[GroupDiagnostics]
    data: TrajectoryData

    @property
    def selected(self) -> FitResult | None:
        """The admissible fit with the highest Nagin BIC (None when none is admissible)."""
        ok = [f for f, d in zip(self.fits, self.diagnostics, strict=True) if not d.failures()]
        return max(ok, key=lambda f: f.bic) if ok else None

    def fit_for(self, n_groups: int) -> FitResult:
        return next(f for f in self.fits if f.spec.n_groups == n_groups)

    def table(self) -> list[dict]:
        """One row per K: fit, BIC (both N conventions), diagnostics, admissibility."""
        best_bic = max(f.bic for f in self.fits)
        chosen = self.selected
        rows = []
        for f, d in zip(self.fits, self.diagnostics, strict=True):
            fails = d.failures()
            rows.append(
                {
                    "n_groups": f.spec.n_groups,
                    "family": f.spec.family,
                    "degree": f.spec.degree,
                    "zi_degree": f.spec.zi_degree if f.spec.family == "zip" else None,
                    "n_params": f.n_params,
                    "n_persons": f.n_persons,
                    "n_person_ages": f.n_obs,
                    "loglik": f.loglik,
                    "bic_nagin": f.bic,
                    "bic_person_ages": f.bic_obs,
                    "is_best_bic": bool(f.bic == best_bic),
                    "min_avepp": float(np.nanmin(d.avepp))
                    if np.any(np.isfinite(d.avepp))
                    else None,
                    "min_occ": float(np.nanmin(d.occ)),
                    "min_share": float(d.share.min()),
                    "min_assigned_share": float(d.assigned_share.min()),
                    "is_admissible": not fails,
                    "inadmissible_because": "; ".join(fails),
                    "is_selected": chosen is f,
                    "n_starts": f.n_starts,
                    "n_converged": f.n_converged,
                    "n_distinct_optima": f.n_distinct_optima,
                    "n_starts_at_best": f.n_at_best,
                }
            )
        return rows


def select_models(
    data: TrajectoryData,
    groups: Sequence[int] = (1, 2, 3, 4, 5, 6),
    *,
    degree: int = 3,
    family: str = "zip",
    zi_degree: int = 0,
    n_starts: int = 50,
    seed: int = 0,
    progress: bool = False,
    with_se: bool = True,
    jobs: int = 1,
    search: Search = DEFAULT_SEARCH,
) -> Selection:
    """Fit every K in ``groups`` (each with its own seeded stream) and compute the diagnostics.

    With ``jobs`` > 1 the K run in that many worker processes (spawned, largest K first); the
    result is the same as with one job. ``search`` says how the starts are searched
    (gbtm.fit.Search).
    """
    basis = PolyBasis.fit(data.age, degree)
    tasks = {
        k: (data, ModelSpec(n_groups=k, degree=degree, family=family, zi_degree=zi_degree),
            basis, n_starts, seed * 1000 + k, with_se, search)
        for k in groups
    }
    done: dict[int, FitResult] = {}
    if jobs > 1 and len(groups) > 1:
        context = multiprocessing.get_context("spawn")
        with _main_script_hidden(), ProcessPoolExecutor(
            max_workers=min(jobs, len(groups)), mp_context=context
        ) as pool:
            futures = {pool.submit(_fit_task, tasks[k]): k for k in sorted(groups, reverse=True)}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                if progress:
                    _report(done[futures[future]], n_starts)
    else:
        with single_threaded_blas():
            for k in groups:
                done[k] = _fit_task(tasks[k])
                if progress:
                    _report(done[k], n_starts)
    fits = [done[k] for k in groups]
    diags = [diagnostics(f.shares(), f.model(data).posterior(f.params)) for f in fits]
    return Selection(fits=fits, diagnostics=diags, data=data)


def default_jobs(n_fits: int) -> int:
    """Worker processes for ``n_fits`` fits: the processors this process may use, at most one
    per fit."""
    return max(1, min(len(os.sched_getaffinity(0)), n_fits))


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """A spawned worker first runs the parent's main script as a module; inside dbt that is
    all of dbt (1.4 s of CPU per worker), while the fits need only gbtm. Without the script's
    path the workers skip it."""
    main = sys.modules["__main__"]
    path = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path


def _fit_task(task: tuple) -> FitResult:
    data, spec, basis, n_starts, seed, with_se, search = task
    return fit_model(
        data, spec, basis=basis, n_starts=n_starts, seed=seed, with_se=with_se, search=search
    )


def _report(fit: FitResult, n_starts: int) -> None:
    print(
        f"  K={fit.spec.n_groups}: log L {fit.loglik:.2f}, BIC {fit.bic:.2f}, "
        f"{fit.n_distinct_optima} distinct optima among the {len(fit.start_logliks)} "
        f"candidates run to convergence ({n_starts} starts)",
        file=sys.stderr,
        flush=True,
    )
