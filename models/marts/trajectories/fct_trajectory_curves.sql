{#- Fitted trajectories (expected OM cases per year by age) of every model, with intervals. -#}
with

curves as (
    select * from {{ ref('int_trajectory_curves') }}
),

fitted as (
    select
        n_groups,
        trajectory_group,
        profile,
        is_selected,
        age,
        expected,
        lower,
        upper,
        zero_inflation
    from curves
)

select * from fitted
