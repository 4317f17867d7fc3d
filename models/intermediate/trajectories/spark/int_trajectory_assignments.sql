{#-
    On Spark the trajectory model (dbt Python models, which dbt-spark runs only on a Databricks
    cluster) is not fitted: this stand-in of int_trajectory_assignments, enabled on Spark only,
    has its columns and no rows, so the marts build with the estimated profile null
    (docs/engines.md). On every other engine the Python model of the same name is built.
-#}
{{ config(enabled=target.type == 'spark') }}

with

no_assignments as (
    select
        cast(null as {{ dbt.type_string() }}) as rinpersoons,
        cast(null as {{ dbt.type_string() }}) as rinpersoon,
        cast(null as integer) as n_groups,
        cast(null as integer) as trajectory_group,
        cast(null as {{ dbt.type_string() }}) as estimated_profile,
        cast(null as double) as posterior_probability
)

select * from no_assignments
where false
