-- Controls meet their pool's rule, checked against the OM cases and the register directly.
with

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

om_cases as (
    select * from {{ ref('int_om_cases') }}
),

persons as (
    select * from {{ ref('int_study_cell_persons') }}
),

study_om_cases as (
    -- only the study persons' rows of the two national tables are read further
    select om_cases.*
    from om_cases
    semi join study_persons
        on om_cases.rinpersoon = study_persons.rinpersoon
),

study_register_rows as (
    select persons.*
    from persons
    semi join study_persons
        on persons.rinpersoon = study_persons.rinpersoon
),

om_history as (
    select
        rinpersoon,
        count(*) as n_cases,
        count(*) filter (where is_in_om_window) as n_cases_in_window,
        count(*) filter (where is_ht_case) as n_ht_cases
    from study_om_cases
    group by rinpersoon
),

controls as (
    select
        study_persons.rinpersoon,
        study_persons.study_group,
        study_persons.sex,
        study_persons.birth_year,
        study_register_rows.death_date,
        coalesce(om_history.n_cases, 0) as n_cases,
        coalesce(om_history.n_cases_in_window, 0) as n_cases_in_window,
        coalesce(om_history.n_ht_cases, 0) as n_ht_cases
    from study_persons
    left join study_register_rows
        on study_persons.rinpersoon = study_register_rows.rinpersoon
    left join om_history
        on study_persons.rinpersoon = om_history.rinpersoon
    where study_persons.study_group <> 'blsu'
),

ineligible as (
    select *
    from controls
    where
        sex is null
        or birth_year is null
        or death_date < date '{{ var("victim_window_start") }}'
        or (study_group = 'criminal_control' and (n_cases_in_window = 0 or n_ht_cases > 0))
        or (study_group = 'noncriminal_control' and n_cases > 0)
)

select * from ineligible
