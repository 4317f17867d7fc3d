{#- int_trajectory_curves on Spark: the estimator step's rows (macro trajectory_estimate). -#}
{{ config(enabled=target.type == 'spark') }}

with

estimated as (
    select * from {{ trajectory_estimate('int_trajectory_curves') }}
)

select * from estimated
