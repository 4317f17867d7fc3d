{#-
    Observed OM cases by age for each group of the reported trajectory model: the persons
    observed at an age, their cases and their observed person-years. Plain aggregates inside
    the warehouse; disclosure control is applied where numbers leave it (python_stats).
-#}
with

age_counts as (
    select * from {{ ref('int_offender_age_counts') }}
),

assignments as (
    select * from {{ ref('int_trajectory_assignments') }}
),

observed as (
    select
        assignments.n_groups,
        assignments.trajectory_group,
        assignments.estimated_profile as profile,
        age_counts.age,
        age_counts.n_cases,
        age_counts.exposure
    from age_counts
    inner join assignments
        on
            age_counts.rinpersoons = assignments.rinpersoons
            and age_counts.rinpersoon = assignments.rinpersoon
    where age_counts.is_observed
),

by_age as (
    select
        n_groups,
        trajectory_group,
        profile,
        age,
        count(*) as n_persons,
        cast(sum(n_cases) as bigint) as n_cases,
        -- rounded: a sum of fractions in parallel threads may differ in its last bits
        cast(round(sum(exposure), 6) as double) as person_years
    from observed
    group by n_groups, trajectory_group, profile, age
)

select * from by_age
