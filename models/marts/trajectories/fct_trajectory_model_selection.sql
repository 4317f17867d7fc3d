{#- The trajectory model-selection table: one row per number of groups K. -#}
with

fits as (
    select * from {{ ref('int_trajectory_fits') }}
),

models as (
    select distinct
        n_groups,
        family,
        degree,
        zi_degree,
        n_params,
        n_persons,
        n_person_ages,
        loglik,
        bic_nagin,
        bic_person_ages,
        is_best_bic,
        min_avepp,
        min_occ,
        min_share,
        min_assigned_share,
        is_admissible,
        inadmissible_because,
        is_selected,
        n_starts,
        n_converged,
        n_distinct_optima,
        n_starts_at_best
    from fits
)

select * from models
