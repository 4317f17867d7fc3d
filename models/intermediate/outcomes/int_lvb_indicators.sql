{#-
    LVB indication per study person and source: a record of int_lvb_records inside its code's
    window (the rule lives there, driven by the lvb_codes seed).
-#}
with

population as (
    select * from {{ ref('int_study_population') }}
),

lvb_records as (
    select * from {{ ref('int_lvb_records') }}
),

study_keys as (
    select distinct
        rinpersoons,
        rinpersoon
    from population
),

in_window as (
    select
        rinpersoons,
        rinpersoon,
        bool_or(source = 'AO') as lvb_ao,
        bool_or(source = 'CIZ') as lvb_ciz,
        bool_or(source = 'WSW') as lvb_wsw
    from lvb_records
    where is_in_window
    group by rinpersoons, rinpersoon
),

indicators as (
    select
        study_keys.rinpersoons,
        study_keys.rinpersoon,
        coalesce(in_window.lvb_ao, false) as lvb_ao,
        coalesce(in_window.lvb_ciz, false) as lvb_ciz,
        coalesce(in_window.lvb_wsw, false) as lvb_wsw
    from study_keys
    left join in_window
        on
            study_keys.rinpersoons = in_window.rinpersoons
            and study_keys.rinpersoon = in_window.rinpersoon
),

combined as (
    select
        *,
        lvb_ao or lvb_ciz or lvb_wsw as has_lvb
    from indicators
)

select * from combined
