with

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

matched as (
    select * from {{ ref('int_matched_controls') }}
),

persons as (
    select * from {{ ref('int_study_cell_persons') }}
),

offenders as (
    select
        rinpersoons,
        rinpersoon,
        'blsu' as study_group,
        profile,
        cast(null as {{ dbt.type_string() }}) as matched_rinpersoon,
        sex,
        birth_year,
        birth_month,
        migration_generation,
        first_ht_date
    from cohort
),

controls as (
    select
        matched.rinpersoons,
        matched.rinpersoon,
        matched.study_group,
        cast(null as {{ dbt.type_string() }}) as profile,
        matched.matched_rinpersoon,
        persons.sex,
        persons.birth_year,
        persons.birth_month,
        persons.migration_generation,
        cast(null as date) as first_ht_date
    from matched
    inner join persons
        on
            matched.rinpersoons = persons.rinpersoons
            and matched.rinpersoon = persons.rinpersoon
),

population as (
    select * from offenders
    union all
    select * from controls
)

select * from population
