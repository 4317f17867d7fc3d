-- Unmatched offenders are not hidden: every linked offender is in fct_study_persons.
with

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

missing as (
    select cohort.rinpersoon
    from cohort
    anti join study_persons
        on
            cohort.rinpersoon = study_persons.rinpersoon
            and study_persons.study_group = 'blsu'
)

select * from missing
