-- Mean age at first offence and at first human-trafficking offence per profile.
with

careers as (
    select * from {{ ref('fct_offender_careers') }}
),

by_profile as (
    select
        profile,
        count(*) as n_offenders,
        avg(age_first_offence) as mean_age_first_offence,
        avg(age_first_ht) as mean_age_first_ht,
        avg(n_cases_before_first_ht) as mean_cases_before_first_ht,
        avg(starts_with_ht::integer) as share_starting_with_ht
    from careers
    group by profile
)

select * from by_profile
