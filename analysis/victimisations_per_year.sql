-- Victimisations of study persons per registration year and study group.
with

victimisations as (
    select * from {{ ref('int_victimisations') }}
),

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

per_year as (
    select
        study_persons.study_group,
        extract(year from victimisations.registration_date) as registration_year,
        count(*) as n_victimisations
    from victimisations
    inner join study_persons
        on victimisations.rinpersoon = study_persons.rinpersoon
    group by study_persons.study_group, registration_year
)

select * from per_year
