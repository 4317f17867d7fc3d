"""Each offender's trajectory group in the reported model and its estimated profile.

The reported model is the one with var trajectory_reported_groups groups when that var is set
(a choice on substantive grounds, as Nagin allows), else the selected one of int_trajectory_fits
(admissible, highest Nagin BIC), or the highest-BIC model when none is admissible. Posterior
probabilities are evaluated from the stored fit (no re-estimation); offenders without any
observed age have no group.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    reported_setting = dbt.config.get("reported_groups")
    import numpy as np
    import pandas as pd

    import gbtm  # noqa: F401
    from gbtm.data import observed_person_ages
    from gbtm.fit import fit_from_json
    from gbtm.selection import assign

    fits = dbt.ref("int_trajectory_fits").df()
    if reported_setting not in (None, "", "None", "none", "null"):
        chosen = fits[fits["n_groups"] == int(reported_setting)]
        if chosen.empty:
            raise ValueError(
                f"var trajectory_reported_groups is {reported_setting}, but no model with that "
                "many groups was fitted (var trajectory_groups)"
            )
    else:
        chosen = fits[fits["is_selected"]]
    if chosen.empty:
        chosen = fits[fits["bic_nagin"] == fits["bic_nagin"].max()]
    fit = fit_from_json(chosen["fit_json"].iloc[0])
    names = dict(zip(chosen["trajectory_group"], chosen["profile"], strict=True))
    counts = dbt.ref("int_offender_age_counts").df()
    data = observed_person_ages(counts, "int_offender_age_counts")
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
