"""The tables a fit produces: model selection, parameters, curves, assignments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gbtm.curves import expected_curves, parameter_table
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


def reported_fit(selection: Selection) -> FitResult:
    """The selected (admissible, best-BIC) model; the best-BIC one when none is admissible."""
    return selection.selected or max(selection.fits, key=lambda f: f.bic)


def build_outputs(selection: Selection) -> Outputs:
    ages = np.arange(np.floor(selection.data.age.min()), np.ceil(selection.data.age.max()) + 1)
    table = pd.DataFrame(selection.table())
    params, curves, groups = [], [], []
    for fit, diag in zip(selection.fits, selection.diagnostics, strict=True):
        params.append(parameter_table(fit))
        c = expected_curves(fit, ages)
        shapes = group_shapes(c)
        names = name_groups(shapes)
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
