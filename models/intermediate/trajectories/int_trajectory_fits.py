"""Group-based trajectory models of the offenders' OM case histories, K = var trajectory_groups.

One row per number of groups and group: the model's fit and selection statistics (Nagin's BIC,
log L - 0.5 k ln N with N offenders; higher is better), the group's shape, share and
classification diagnostics, its profile name (by shape) and the whole fit as JSON. Reads only
int_offender_age_counts, so a refresh of police files never re-estimates.
"""


def _setting(value, default):
    """A config value rendered from a var (text such as `50` or `1,2,3`), or the default."""
    if value is None or value == "":
        return default
    return [int(v) for v in str(value).split(",")]


def model(dbt, session):
    dbt.config(materialized="table")
    # one dbt.config.get per statement: dbt only records top-level calls
    groups_setting = dbt.config.get("groups")
    starts_setting = dbt.config.get("starts")
    seed_setting = dbt.config.get("seed")
    import pandas as pd

    import gbtm  # noqa: F401  (sets single-threaded BLAS before scipy loads)
    from gbtm.data import observed_person_ages
    from gbtm.fit import fit_to_json
    from gbtm.outputs import build_outputs
    from gbtm.selection import select_models

    counts = dbt.ref("int_offender_age_counts").df()
    data = observed_person_ages(counts, "int_offender_age_counts")
    groups = _setting(groups_setting, [1, 2, 3, 4, 5, 6])
    selection = select_models(
        data,
        groups,
        degree=3,
        family="zip",
        n_starts=_setting(starts_setting, [50])[0],
        seed=_setting(seed_setting, [0])[0],
    )
    out = build_outputs(selection)
    table = out.model_selection
    shares_se = out.parameters[out.parameters["parameter"] == "share"][
        ["n_groups", "group", "se"]
    ].rename(columns={"se": "share_se"})
    rows = out.groups.merge(shares_se, on=["n_groups", "group"]).merge(table, on="n_groups")
    rows["fit_json"] = rows["n_groups"].map(
        {f.spec.n_groups: fit_to_json(f) for f in selection.fits}
    )
    rows["occ"] = rows["occ"].where(rows["occ"] != float("inf"), None)
    rows["min_occ"] = rows["min_occ"].where(rows["min_occ"] != float("inf"), None)
    return pd.DataFrame(rows).rename(columns={"group": "trajectory_group"})
