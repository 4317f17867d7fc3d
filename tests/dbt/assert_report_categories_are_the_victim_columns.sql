{#-
    The report categories of the seed are exactly the victim_<category> columns that
    int_victimisations and fct_study_persons make (macro report_categories): a category added to
    the seed without its column, or the other way round, fails here.
-#}
with

seeded as (
    select report_category from {{ ref('report_categories') }}
),

columns as (
    {%- for category in report_categories() %}
    select '{{ category }}' as report_category
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

mismatched as (
    select
        coalesce(seeded.report_category, columns.report_category) as report_category,
        seeded.report_category is null as missing_from_seed
    from seeded
    full outer join columns
        on seeded.report_category = columns.report_category
    where seeded.report_category is null or columns.report_category is null
)

select * from mismatched
