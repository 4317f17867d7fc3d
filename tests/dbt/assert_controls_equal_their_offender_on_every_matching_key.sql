-- Matched controls differ from their offender on no matching key (var matching_keys).
{%- set keys = var('matching_keys') %}
with

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

offenders as (
    select *
    from study_persons
    where study_group = 'blsu'
),

controls as (
    select *
    from study_persons
    where study_group <> 'blsu'
),

mismatches as (
    select
        controls.rinpersoon,
        controls.matched_rinpersoon
    from controls
    left join offenders
        on controls.matched_rinpersoon = offenders.rinpersoon
    where
        offenders.rinpersoon is null
        {%- for key in keys %}
        or controls.{{ key }} is distinct from offenders.{{ key }}
        {%- endfor %}
)

select * from mismatches
