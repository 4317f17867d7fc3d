"""Group-based trajectory models of the offenders' OM case histories, K = var trajectory_groups.

One row per number of groups and group: the model's fit and selection statistics (Nagin's BIC,
log L - 0.5 k ln N with N offenders; higher is better), the group's shape, share and
classification diagnostics, its profile name (by shape) and the whole fit as JSON. Reads only
int_offender_age_counts, so a refresh of police files never re-estimates. The table is made by
gbtm.warehouse.fits_table, which the Spark target's estimator step calls too, once per input:
the table fitted on the same age counts with the same settings and estimator code is read back
from the folder of config trajectory_cache instead of fitted again (gbtm.cache).
"""


def model(dbt, session):
    dbt.config(materialized="table")
    # one dbt.config.get per statement: dbt only records top-level calls
    groups_setting = dbt.config.get("groups")
    starts_setting = dbt.config.get("starts")
    seed_setting = dbt.config.get("seed")
    store_setting = dbt.config.get("trajectory_cache")
    from gbtm.warehouse import stored_fits_table

    counts = dbt.ref("int_offender_age_counts").df()
    return stored_fits_table(counts, groups_setting, starts_setting, seed_setting, store_setting)
