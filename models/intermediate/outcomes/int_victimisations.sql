{#-
    One row per study person and police incident (VOORVALNUMMER) in which the person is reporter
    (ROL A) and/or victim (ROL S), from rows whose REGISTRATIEDATUM lies inside the victimisation
    window. Several roles or feitcodes of one incident give one row, flagged in every report
    category of its feitcodes; unknown feitcodes still count, with no category.
-#}
{%- set categories = report_categories() -%}
with

registrations as (
    select * from {{ ref('stg_cbs__police_registrations') }}
),

population as (
    select * from {{ ref('int_study_population') }}
),

feitcodes as (
    select * from {{ ref('feitcodes') }}
),

study_keys as (
    select distinct
        rinpersoons,
        rinpersoon
    from population
),

study_rows as (
    select registrations.*
    from registrations
    semi join study_keys
        on
            registrations.rinpersoons = study_keys.rinpersoons
            and registrations.rinpersoon = study_keys.rinpersoon
    where
        registrations.role in ('A', 'S')
        and registrations.registration_date
        between date '{{ var("victim_window_start") }}'
        and date '{{ var("victim_window_end") }}'
),

categorised as (
    select
        study_rows.*,
        feitcodes.report_category
    from study_rows
    left join feitcodes
        on study_rows.offence_code = feitcodes.feitcode
),

incidents as (
    select
        rinpersoons,
        rinpersoon,
        incident_id,
        min(registration_date) as registration_date,
        coalesce(min(offence_date), min(registration_date)) as victimisation_date,
        bool_or(role = 'A') as is_reporter,
        bool_or(role = 'S') as is_victim,
        {% for category in categories -%}
        coalesce(bool_or(report_category = '{{ category }}'), false) as victim_{{ category }},
        {% endfor -%}
        bool_or(report_category is null) as has_unknown_offence_code
    from categorised
    group by rinpersoons, rinpersoon, incident_id
)

select * from incidents
