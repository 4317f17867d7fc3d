{#- Figure A3: share of victims per report category, per study group and profile. -#}
{%- set categories = report_categories() -%}
with

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

victims as (
    select *
    from study_persons
    where is_victim
),

grouped as (
    {{ reporting_groups('victims') }}
),

long_format as (
    {% for category in categories -%}
    select
        group_type,
        group_name,
        '{{ category }}' as category,
        count(*) as victims_n,
        count(*) filter (where victim_{{ category }}) as category_victims_n
    from grouped
    group by group_type, group_name
    {% if not loop.last %}union all
    {% endif %}{%- endfor %}
),

controlled as (
    select
        group_type,
        group_name,
        category,
        {{ dc_count('victims_n') }} as victims_n,
        {{ dc_count('category_victims_n') }} as category_victims_n,
        {{ dc_ratio('category_victims_n', 'victims_n', 100) }} as pct_among_victims
    from long_format
)

select * from controlled
