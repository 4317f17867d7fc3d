"""Fitted trajectories of every model of int_trajectory_fits: the expected OM cases per year by
age and group with a 95% delta-method interval, and the group's profile name
(gbtm.warehouse.curves_table, which the Spark target's estimator step calls too)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from gbtm.warehouse import curves_table

    fits = dbt.ref("int_trajectory_fits").df()
    counts = dbt.ref("int_offender_age_counts").df()
    return curves_table(fits, counts)
