"""Fitted trajectories of every model of int_trajectory_fits: the expected OM cases per year by
age and group with a 95% delta-method interval, and the group's profile name."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pandas as pd

    import gbtm  # noqa: F401
    from gbtm.curves import expected_curves
    from gbtm.data import observed_person_ages
    from gbtm.fit import fit_from_json
    from gbtm.outputs import supported_ages

    fits = dbt.ref("int_trajectory_fits").df()
    counts = dbt.ref("int_offender_age_counts").df()
    data = observed_person_ages(counts, "int_offender_age_counts")
    grid = supported_ages(data)
    frames = []
    for _, rows in fits.groupby("n_groups"):
        curves = expected_curves(fit_from_json(rows["fit_json"].iloc[0]), grid)
        names = dict(zip(rows["trajectory_group"], rows["profile"], strict=True))
        curves["profile"] = curves["group"].map(names)
        curves["is_selected"] = bool(rows["is_selected"].iloc[0])
        frames.append(curves)
    out = pd.concat(frames, ignore_index=True)
    out["age"] = out["age"].astype("int64")
    out = out.rename(columns={"group": "trajectory_group"})
    return out[
        [
            "n_groups",
            "trajectory_group",
            "profile",
            "is_selected",
            "age",
            "expected",
            "lower",
            "upper",
            "zero_inflation",
        ]
    ]
