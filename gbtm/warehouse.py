"""The warehouse's trajectory tables (int_trajectory_fits, _curves, _assignments) from the
person x age table int_offender_age_counts.

One home for both engines: on DuckDB the dbt Python models of models/intermediate/trajectories
call these functions; on Spark, where dbt runs no Python models, the estimator step
(`blsu.spark_trajectories`) calls them on the same table and writes what they return. The
settings arrive as dbt renders them into the models' configs (text such as `50` or `1,2,3`;
models/intermediate/trajectories/*.yml), read here by `setting`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from gbtm.cache import folder_setting, stored_or_fitted
from gbtm.curves import expected_curves
from gbtm.data import observed_person_ages
from gbtm.fit import fit_from_json, fit_to_json
from gbtm.outputs import build_outputs, supported_ages
from gbtm.profiles import study_profiles
from gbtm.selection import assign, default_jobs, select_models

AGE_COUNTS = "int_offender_age_counts"
DEFAULT_GROUPS = [1, 2, 3, 4, 5, 6]
DEGREE = 3
FAMILY = "zip"
CURVE_COLUMNS = ["n_groups", "trajectory_group", "profile", "is_selected", "age", "expected",
                 "lower", "upper", "zero_inflation"]
NOT_SET = (None, "", "None", "none", "null")


def setting(value: object, default: list[int]) -> list[int]:
    """A config value rendered from a var (text such as `50` or `1,2,3`), or the default."""
    if value is None or value == "":
        return default
    return [int(v) for v in str(value).split(",")]


def fits_table(counts: pd.DataFrame, groups: object, starts: object, seed: object
               ) -> pd.DataFrame:
    """int_trajectory_fits: one row per K and group, with the model's statistics and the whole
    fit as JSON. `groups`, `starts` and `seed` are the model's rendered config values."""
    data = observed_person_ages(counts, AGE_COUNTS)
    fitted = setting(groups, DEFAULT_GROUPS)
    selection = select_models(
        data,
        fitted,
        degree=DEGREE,
        family=FAMILY,
        n_starts=setting(starts, [50])[0],
        seed=setting(seed, [0])[0],
        jobs=default_jobs(len(fitted)),
    )
    out = build_outputs(selection)
    shares_se = out.parameters[out.parameters["parameter"] == "share"][
        ["n_groups", "group", "se"]
    ].rename(columns={"se": "share_se"})
    rows = out.groups.merge(shares_se, on=["n_groups", "group"]).merge(
        out.model_selection, on="n_groups")
    rows["fit_json"] = rows["n_groups"].map(
        {f.spec.n_groups: fit_to_json(f) for f in selection.fits}
    )
    rows["occ"] = rows["occ"].where(rows["occ"] != float("inf"), None)
    rows["min_occ"] = rows["min_occ"].where(rows["min_occ"] != float("inf"), None)
    return pd.DataFrame(rows).rename(columns={"group": "trajectory_group"})


def fit_settings(groups: object, starts: object, seed: object) -> dict[str, object]:
    """Every setting `fits_table` fits with, as values (the key of a stored fit, gbtm.cache):
    the rendered config values, the model's degree and family, and the profile names the
    groups are given."""
    return {
        "groups": setting(groups, DEFAULT_GROUPS),
        "starts": setting(starts, [50])[0],
        "seed": setting(seed, [0])[0],
        "degree": DEGREE,
        "family": FAMILY,
        "profiles": list(study_profiles()),
    }


def stored_fits_table(counts: pd.DataFrame, groups: object, starts: object, seed: object,
                      store: object, say: Callable[[str], None] | None = None,
                      base: Path | None = None) -> pd.DataFrame:
    """`fits_table`, fitted once per input: the table stored for the same age counts,
    settings and estimator code in the folder `store` (config trajectory_cache, relative to
    `base` or the current folder; `off`: no store), else fitted and stored (gbtm.cache)."""
    folder = folder_setting(store)
    if folder is not None and base is not None:
        folder = base / folder
    return stored_or_fitted(
        counts,
        fit_settings(groups, starts, seed),
        lambda: fits_table(counts, groups, starts, seed),
        folder,
        **({"say": say} if say else {}),
    )


def curves_table(fits: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """int_trajectory_curves: expected OM cases per year by age and group of every fitted
    model, with a 95% interval, over the ages enough offenders are observed at."""
    grid = supported_ages(observed_person_ages(counts, AGE_COUNTS))
    frames = []
    for _, rows in fits.groupby("n_groups"):
        curves = expected_curves(fit_from_json(rows["fit_json"].iloc[0]), grid)
        names = dict(zip(rows["trajectory_group"], rows["profile"], strict=True))
        curves["profile"] = curves["group"].map(names)
        curves["is_selected"] = bool(rows["is_selected"].iloc[0])
        frames.append(curves)
    out = pd.concat(frames, ignore_index=True)
    out["age"] = out["age"].astype("int64")
    return out.rename(columns={"group": "trajectory_group"})[CURVE_COLUMNS]


def reported_rows(fits: pd.DataFrame, reported_groups: object) -> pd.DataFrame:
    """The rows of the reported model: var trajectory_reported_groups groups when set, else the
    selected model, else the highest-BIC one when none is admissible."""
    if reported_groups not in NOT_SET:
        chosen = fits[fits["n_groups"] == int(str(reported_groups))]
        if chosen.empty:
            raise ValueError(
                f"var trajectory_reported_groups is {reported_groups}, but no model with that "
                "many groups was fitted (var trajectory_groups)"
            )
    else:
        chosen = fits[fits["is_selected"]]
    if chosen.empty:
        chosen = fits[fits["bic_nagin"] == fits["bic_nagin"].max()]
    return chosen


def assignments_table(fits: pd.DataFrame, counts: pd.DataFrame, reported_groups: object
                      ) -> pd.DataFrame:
    """int_trajectory_assignments: each offender's group in the reported model (maximum
    posterior, evaluated from the stored fit) and its profile name."""
    chosen = reported_rows(fits, reported_groups)
    fit = fit_from_json(chosen["fit_json"].iloc[0])
    names = dict(zip(chosen["trajectory_group"], chosen["profile"], strict=True))
    data = observed_person_ages(counts, AGE_COUNTS)
    post = fit.model(data).posterior(fit.params)
    group = assign(post) + 1
    keys = pd.Series(data.person_ids).str.split("|", n=1, expand=True)
    return pd.DataFrame(
        {
            "rinpersoons": keys[0],
            "rinpersoon": keys[1],
            "n_groups": fit.spec.n_groups,
            "trajectory_group": group.astype(np.int64),
            "estimated_profile": [names[g] for g in group],
            "posterior_probability": post[np.arange(len(group)), group - 1],
        }
    )
