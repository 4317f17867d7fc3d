"""Each offender's trajectory group in the reported model and its estimated profile.

The reported model is the one with var trajectory_reported_groups groups when that var is set
(a choice on substantive grounds, as Nagin allows), else the selected one of int_trajectory_fits
(admissible, highest Nagin BIC), or the highest-BIC model when none is admissible. Posterior
probabilities are evaluated from the stored fit (no re-estimation); offenders without any
observed age have no group (gbtm.warehouse.assignments_table, which the Spark target's estimator
step calls too).
"""


def model(dbt, session):
    dbt.config(materialized="table")
    reported_setting = dbt.config.get("reported_groups")
    from gbtm.warehouse import assignments_table

    fits = dbt.ref("int_trajectory_fits").df()
    counts = dbt.ref("int_offender_age_counts").df()
    return assignments_table(fits, counts, reported_setting)
