{#-
    Observed OM cases per year by age for each group of the reported trajectory model,
    disclosure-controlled: the persons observed at an age and their cases rounded (null below
    the minimum cell), the mean cases per observed person-year null when either is below it.
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
        sum(n_cases) as n_cases,
        sum(exposure) as person_years
    from observed
    group by n_groups, trajectory_group, profile, age
),

controlled as (
    select
        n_groups,
        trajectory_group,
        profile,
        age,
        {{ dc_count('n_persons') }} as n_persons,
        {{ dc_count('n_cases') }} as n_cases,
        case
            when n_cases < {{ var('dc_min_cell') }} then null
            else {{ dc_ratio('n_cases', 'n_persons') }} / (person_years / n_persons)
        end as mean_cases_per_year
    from by_age
)

select * from controlled
