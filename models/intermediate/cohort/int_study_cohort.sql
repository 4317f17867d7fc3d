with

members as (
    select * from {{ ref('int_sample_members') }}
),

estimates as (
    select * from {{ ref('int_offender_profile_estimates') }}
),

cohort as (
    select
        members.rinpersoons,
        members.rinpersoon,
        members.case_id,
        members.first_ht_date,
        coalesce(members.stated_profile, estimates.estimated_profile) as profile,
        case
            when members.stated_profile is not null then 'stated' else 'estimated'
        end as profile_source,
        members.sex,
        members.birth_year,
        members.birth_month,
        members.migration_generation,
        members.death_date,
        members.has_ht_case_in_om
    from members
    left join estimates
        on
            members.rinpersoons = estimates.rinpersoons
            and members.rinpersoon = estimates.rinpersoon
)

select * from cohort
