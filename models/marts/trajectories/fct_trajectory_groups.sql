{#- The groups of every trajectory model: shape, share, classification and profile name. -#}
with

fits as (
    select * from {{ ref('int_trajectory_fits') }}
),

trajectory_groups as (
    select
        n_groups,
        trajectory_group,
        profile,
        is_selected,
        share,
        share_se,
        assigned_share,
        avepp,
        occ,
        peak_age,
        peak_expected,
        mean_expected,
        peak_range_from,
        peak_range_to
    from fits
)

select * from trajectory_groups
