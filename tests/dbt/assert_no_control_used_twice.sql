-- A control is matched to one offender only, and each offender has at most one control per pool.
with

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

controls as (
    select *
    from study_persons
    where study_group <> 'blsu'
),

used_twice as (
    select
        rinpersoon,
        count(*) as n_uses
    from controls
    group by rinpersoon
    having count(*) > 1
),

offenders_with_two_controls as (
    select
        matched_rinpersoon as rinpersoon,
        count(*) as n_uses
    from controls
    group by study_group, matched_rinpersoon
    having count(*) > 1
),

violations as (
    select * from used_twice
    union all
    select * from offenders_with_two_controls
)

select * from violations
