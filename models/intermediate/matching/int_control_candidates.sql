{#-
    Register persons eligible as a control, with their pool. Filtered early to the matching cells
    (var matching_keys) that hold at least one offender, so that the national register is
    reduced before the random draw.
-#}
{%- set keys = var('matching_keys') -%}
with

persons as (
    select * from {{ ref('int_study_cell_persons') }}
),

sample as (
    select * from {{ ref('stg_cbs__study_sample') }}
),

om_cases as (
    select * from {{ ref('int_om_cases') }}
),

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

offender_cells as (
    select distinct {{ keys | join(', ') }}
    from cohort
    where {{ all_not_null(keys) }}
),

sample_keys as (
    select distinct
        rinpersoons,
        rinpersoon
    from sample
),

om_history as (
    select
        rinpersoons,
        rinpersoon,
        bool_or(is_in_om_window) as has_case_in_om_window,
        bool_or(is_ht_case) as has_ht_case
    from om_cases
    group by rinpersoons, rinpersoon
),

eligible_persons as (
    select persons.*
    from persons
    semi join offender_cells
        on
        {% for key in keys -%}
            {{ 'and ' if not loop.first }}persons.{{ key }} = offender_cells.{{ key }}
        {% endfor %}
    anti join sample_keys
        on
            persons.rinpersoons = sample_keys.rinpersoons
            and persons.rinpersoon = sample_keys.rinpersoon
    where
        persons.sex is not null
        and persons.birth_year is not null
        and (
            persons.death_date is null
            or persons.death_date >= date '{{ var("victim_window_start") }}'
        )
),

pooled as (
    select
        eligible_persons.rinpersoons,
        eligible_persons.rinpersoon,
        eligible_persons.sex,
        eligible_persons.birth_year,
        eligible_persons.birth_month,
        eligible_persons.migration_generation,
        case
            when om_history.rinpersoon is null then 'noncriminal_control'
            when om_history.has_case_in_om_window and not om_history.has_ht_case
                then 'criminal_control'
        end as study_group
    from eligible_persons
    left join om_history
        on
            eligible_persons.rinpersoons = om_history.rinpersoons
            and eligible_persons.rinpersoon = om_history.rinpersoon
),

candidates as (
    select *
    from pooled
    where study_group is not null
)

select * from candidates
