{#-
    Every report category of the seed is a victim_<category> column of int_victimisations and
    fct_study_persons, and every victim_<category> column is a category of the seed: the models
    make their columns from the seed (macro report_categories), the mart's contract lists them
    again, and a category added to or dropped from one and not the other fails here.
-#}
{%- set models = {'int_victimisations': ref('int_victimisations')} -%}
{%- do models.update({'fct_study_persons': ref('fct_study_persons')}) -%}
with

seeded as (
    select report_category from {{ ref('report_categories') }}
),

models as (
    select 'int_victimisations' as model_name
    union all
    select 'fct_study_persons' as model_name
),

expected as (
    select
        models.model_name,
        seeded.report_category
    from models
    cross join seeded
),

found as (
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as report_category
    where 1 = 0
    {%- for model, relation in models.items() %}
    {%- for category in victim_columns(relation) %}
    union all
    select '{{ model }}' as model_name, '{{ category }}' as report_category
    {%- endfor %}
    {%- endfor %}
),

mismatched as (
    select
        coalesce(expected.model_name, found.model_name) as model_name,
        coalesce(expected.report_category, found.report_category) as report_category,
        expected.report_category is null as missing_from_seed
    from expected
    full outer join found
        on
            expected.model_name = found.model_name
            and expected.report_category = found.report_category
    where expected.report_category is null or found.report_category is null
)

select * from mismatched
