{#-
    LVB indication per study person and source: a record of int_lvb_records inside its code's
    window (the rule lives there, driven by the lvb_codes seed). has_lvb combines the sources
    var lvb_sources names (null: every source); the per-source flags are always all three.
-#}
{%- set sources = var('lvb_sources') -%}
{%- if sources is not none and (sources is string or sources is mapping
    or sources is not iterable or sources | length == 0) -%}
    {{ exceptions.raise_compiler_error(
        "var lvb_sources must be null (every source) or a non-empty list of sources of the "
        ~ "seed lvb_sources, e.g. ['AO', 'CIZ']; got " ~ sources
    ) }}
{%- endif -%}
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
        bool_or(source = 'WSW') as lvb_wsw,
        {% if sources is none -%}
        true as has_lvb
        {%- else -%}
        bool_or(source in ('{{ sources | join("', '") }}')) as has_lvb
        {%- endif %}
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
        coalesce(in_window.lvb_wsw, false) as lvb_wsw,
        coalesce(in_window.has_lvb, false) as has_lvb
    from study_keys
    left join in_window
        on
            study_keys.rinpersoons = in_window.rinpersoons
            and study_keys.rinpersoon = in_window.rinpersoon
)

select * from indicators
