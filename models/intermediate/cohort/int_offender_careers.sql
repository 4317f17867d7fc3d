with

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

om_cases as (
    select * from {{ ref('int_om_cases') }}
),

offenders as (
    select
        rinpersoons,
        rinpersoon,
        profile,
        birth_year,
        birth_month,
        first_ht_date,
        make_date(birth_year, coalesce(birth_month, 7), 1) as birth_date
    from cohort
),

window_cases as (
    select
        offenders.rinpersoons,
        offenders.rinpersoon,
        om_cases.case_id,
        om_cases.case_date,
        om_cases.case_date < offenders.first_ht_date as is_before_first_ht
    from offenders
    inner join om_cases
        on
            offenders.rinpersoons = om_cases.rinpersoons
            and offenders.rinpersoon = om_cases.rinpersoon
    where om_cases.is_in_om_window
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
        {{ dbt.datediff('offenders.birth_date', 'case_summary.first_offence_date', 'day') }}
        / cast(365.25 as double) as age_first_offence,
        {{ dbt.datediff('offenders.birth_date', 'offenders.first_ht_date', 'day') }}
        / cast(365.25 as double) as age_first_ht,
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
