"""The tables a fit produces: model selection, parameters, curves, assignments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gbtm.curves import expected_curves, parameter_table
from gbtm.data import TrajectoryData
from gbtm.fit import FitResult
from gbtm.profiles import group_shapes, name_groups
from gbtm.selection import Selection, assign


@dataclass
class Outputs:
    model_selection: pd.DataFrame
    parameters: pd.DataFrame
    curves: pd.DataFrame
    groups: pd.DataFrame
    assignments: pd.DataFrame
    reported: FitResult


#: Curves and shapes are read at ages where at least this share of the persons is observed
#: (and at least MIN_PERSONS_AT_AGE persons): a polynomial says little where data are thin.
MIN_SHARE_AT_AGE = 0.02
MIN_PERSONS_AT_AGE = 10


def supported_ages(data: TrajectoryData) -> np.ndarray:
    """Whole ages from the first to the last age observed for enough persons (see above)."""
    ages = np.floor(data.age).astype(np.int64)
    lo = ages.min()
    persons = np.bincount(ages - lo)
    enough = np.flatnonzero(persons >= max(MIN_PERSONS_AT_AGE, MIN_SHARE_AT_AGE * data.n_persons))
    if len(enough) == 0:
        return np.arange(lo, ages.max() + 1)
    return np.arange(lo + enough.min(), lo + enough.max() + 1)


def group_weights(fit: FitResult, data: TrajectoryData) -> pd.DataFrame:
    """Per group and whole age: the posterior-weighted number of persons observed there."""
    post = fit.model(data).posterior(fit.params)
    ages = np.floor(data.age).astype(np.int64)
    lo = ages.min()
    frames = []
    for k in range(post.shape[1]):
        w = np.bincount(ages - lo, post[data.person, k])
        frames.append(
            pd.DataFrame({"group": k + 1, "age": np.arange(lo, lo + len(w)), "weight": w})
        )
    return pd.concat(frames, ignore_index=True)


def reported_fit(selection: Selection) -> FitResult:
    """The selected (admissible, best-BIC) model; the best-BIC one when none is admissible."""
    return selection.selected or max(selection.fits, key=lambda f: f.bic)


def build_outputs(selection: Selection, profiles: Sequence[str] | None = None) -> Outputs:
    """The tables of a selection; groups are named by gbtm.profiles.name_groups with the four
    `profiles` (lowest level, early peak, late peak, highest level; default the study's)."""
    ages = supported_ages(selection.data)
    table = pd.DataFrame(selection.table())
    params, curves, groups = [], [], []
    for fit, diag in zip(selection.fits, selection.diagnostics, strict=True):
        params.append(parameter_table(fit))
        c = expected_curves(fit, ages)
        c = c.merge(group_weights(fit, selection.data), on=["group", "age"], how="left")
        c["weight"] = c["weight"].fillna(0.0)
        shapes = group_shapes(c)
        names = name_groups(shapes, profiles)
        shapes["profile"] = shapes["group"].map(names)
        shapes.insert(0, "n_groups", fit.spec.n_groups)
        shapes["share"] = diag.share
        shapes["assigned_share"] = diag.assigned_share
        shapes["avepp"] = diag.avepp
        shapes["occ"] = diag.occ
        c["profile"] = c["group"].map(names)
        curves.append(c)
        groups.append(shapes)
    fit = reported_fit(selection)
    post = fit.model(selection.data).posterior(fit.params)
    group_frame = pd.concat(groups, ignore_index=True)
    names = dict(
        group_frame.loc[
            group_frame["n_groups"] == fit.spec.n_groups, ["group", "profile"]
        ].itertuples(index=False, name=None)
    )
    chosen = assign(post) + 1
    assignments = pd.DataFrame(
        {
            "person": selection.data.person_ids,
            "n_groups": fit.spec.n_groups,
            "group": chosen,
            "profile": [names[g] for g in chosen],
            "posterior": post[np.arange(len(chosen)), chosen - 1],
        }
    )
    for k in range(post.shape[1]):
        assignments[f"posterior_{k + 1}"] = post[:, k]
    return Outputs(
        model_selection=table,
        parameters=pd.concat(params, ignore_index=True),
        curves=pd.concat(curves, ignore_index=True),
        groups=group_frame,
        assignments=assignments,
        reported=fit,
    )
