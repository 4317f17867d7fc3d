"""Each offender's trajectory group in the reported model and its estimated profile.

The reported model is the selected one of int_trajectory_fits (admissible, highest Nagin BIC),
or the highest-BIC model when none is admissible. Posterior probabilities are evaluated from the
stored fit (no re-estimation); offenders without any observed age have no group.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import numpy as np
    import pandas as pd

    import gbtm  # noqa: F401
    from gbtm.data import TrajectoryData
    from gbtm.fit import fit_from_json
    from gbtm.selection import assign

    fits = dbt.ref("int_trajectory_fits").df()
    chosen = fits[fits["is_selected"]]
    if chosen.empty:
        chosen = fits[fits["bic_nagin"] == fits["bic_nagin"].max()]
    fit = fit_from_json(chosen["fit_json"].iloc[0])
    names = dict(zip(chosen["trajectory_group"], chosen["profile"], strict=True))
    counts = dbt.ref("int_offender_age_counts").df()
    counts = counts[counts["is_observed"]]
    counts = counts.assign(person=counts["rinpersoons"] + "|" + counts["rinpersoon"])
    data = TrajectoryData.from_frame(
        counts.reset_index(drop=True),
        person="person",
        age="age",
        count="n_cases",
        exposure="exposure",
        source="int_offender_age_counts",
    )
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
