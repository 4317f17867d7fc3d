{#-
    Profile estimate for sample members without DADERPROFIEL, from their OM cases inside the
    OM window: at most var profile_incidental_max_cases cases -> the incidental profile; at least
    var profile_continuous_min_cases -> the continuous one; otherwise the age (whole years) with
    most cases decides: up to var profile_early_peak_max_age -> early peak, older -> late peak.
    The rule gives a position in the profiles seed (sort_order 1 incidental, 2 early peak, 3 late
    peak, 4 continuous), whose code it reports. Without a birth year there is no age, so a member
    with a case count in between gets no profile (null; counted in marts.dq_findings) rather than
    a guessed one.
-#}
with

members as (
    select * from {{ ref('int_sample_members') }}
),

member_cases as (
    select * from {{ ref('int_sample_member_cases') }}
),

profiles as (
    select * from {{ ref('profiles') }}
),

to_estimate as (
    select
        rinpersoons,
        rinpersoon
    from members
    where stated_profile is null
),

case_ages as (
    select
        to_estimate.rinpersoons,
        to_estimate.rinpersoon,
        member_cases.case_id,
        floor(member_cases.age_at_case) as age_at_case
    from to_estimate
    inner join member_cases
        on
            to_estimate.rinpersoons = member_cases.rinpersoons
            and to_estimate.rinpersoon = member_cases.rinpersoon
),

cases_per_age as (
    select
        rinpersoons,
        rinpersoon,
        age_at_case,
        count(*) as n_cases_at_age
    from case_ages
    group by rinpersoons, rinpersoon, age_at_case
),

career_shape as (
    select
        rinpersoons,
        rinpersoon,
        sum(n_cases_at_age) as n_cases,
        max_by(age_at_case, n_cases_at_age * 1000 - age_at_case) as peak_age
    from cases_per_age
    group by rinpersoons, rinpersoon
),

estimated as (
    select
        to_estimate.rinpersoons,
        to_estimate.rinpersoon,
        coalesce(career_shape.n_cases, 0) as n_cases,
        career_shape.peak_age,
        profiles.profile as estimated_profile
    from to_estimate
    left join career_shape
        on
            to_estimate.rinpersoons = career_shape.rinpersoons
            and to_estimate.rinpersoon = career_shape.rinpersoon
    left join profiles
        on profiles.sort_order = case
            when coalesce(career_shape.n_cases, 0) <= {{ var('profile_incidental_max_cases') }}
                then 1
            when career_shape.n_cases >= {{ var('profile_continuous_min_cases') }}
                then 4
            when career_shape.peak_age <= {{ var('profile_early_peak_max_age') }}
                then 2
            when career_shape.peak_age > {{ var('profile_early_peak_max_age') }}
                then 3
        end
)

select * from estimated
