with

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

member_cases as (
    select * from {{ ref('int_sample_member_cases') }}
),

offenders as (
    select
        rinpersoons,
        rinpersoon,
        profile,
        birth_year,
        birth_month,
        first_ht_date,
        {{ assumed_birth_date('birth_year', 'birth_month') }} as birth_date
    from cohort
),

window_cases as (
    select
        offenders.rinpersoons,
        offenders.rinpersoon,
        member_cases.case_id,
        member_cases.case_date,
        member_cases.is_before_first_ht
    from offenders
    inner join member_cases
        on
            offenders.rinpersoons = member_cases.rinpersoons
            and offenders.rinpersoon = member_cases.rinpersoon
),

case_summary as (
    select
        rinpersoons,
        rinpersoon,
        count(distinct case_id) as n_cases,
        min(case_date) as first_offence_date,
        count(distinct case when is_before_first_ht then case_id end) as n_cases_before_first_ht
    from window_cases
    group by rinpersoons, rinpersoon
),

careers as (
    select
        offenders.rinpersoons,
        offenders.rinpersoon,
        offenders.profile,
        offenders.birth_year,
        offenders.birth_month,
        offenders.first_ht_date,
        cast(coalesce(case_summary.n_cases, 0) as integer) as n_cases,
        case_summary.first_offence_date,
        {{ age_in_years('offenders.birth_date', 'case_summary.first_offence_date') }}
            as age_first_offence,
        {{ age_in_years('offenders.birth_date', 'offenders.first_ht_date') }} as age_first_ht,
        cast(coalesce(case_summary.n_cases_before_first_ht, 0) as integer)
            as n_cases_before_first_ht,
        coalesce(case_summary.n_cases_before_first_ht, 0) = 0 as starts_with_ht
    from offenders
    left join case_summary
        on
            offenders.rinpersoons = case_summary.rinpersoons
            and offenders.rinpersoon = case_summary.rinpersoon
)

select * from careers
