{#-
    The person-level rows behind fct_trajectory_observed_by_age: one row per offender of the
    reported trajectory model and observed age, with the group, the OM cases and the observed
    part of that age-year, and the posterior probability of the person's group. It stays in the
    warehouse: the statistics pool adjacent ages until
    each observed mean passes the magnitude rules of disclosure control, and `blsu check-output
    --warehouse` recomputes those verdicts from it (python_stats.magnitudes).
-#}
with

age_counts as (
    select * from {{ ref('int_offender_age_counts') }}
),

assignments as (
    select * from {{ ref('int_trajectory_assignments') }}
),

person_ages as (
    select
        age_counts.rinpersoons,
        age_counts.rinpersoon,
        assignments.n_groups,
        assignments.trajectory_group,
        assignments.estimated_profile as profile,
        assignments.posterior_probability,
        age_counts.age,
        age_counts.n_cases,
        age_counts.exposure
    from age_counts
    inner join assignments
        on
            age_counts.rinpersoons = assignments.rinpersoons
            and age_counts.rinpersoon = assignments.rinpersoon
    where age_counts.is_observed
)

select * from person_ages
