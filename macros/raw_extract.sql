{#-
    The rows of a raw-extract source, for a staging model's `source` CTE.

    The loader plugin (blsu.loader.plugin) stores, per source, either the rows it read (CSV and
    .sav files) or, when every file to read is Parquet, a scan plan: one row per file with
    SCAN_SQL, the `select` that reads that file in place. For a plan this macro inlines the
    selects (`union all`, in file order), so the rows are read from the files by the staging
    model itself and written into the warehouse once. At parse time, and for a table of rows,
    it is the source relation.
-#}
{% macro raw_extract(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set plan = none -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name')
            | map('lower') | list -%}
        {%- if 'scan_sql' in columns -%}
            {%- set plan = run_query(
                'select scan_sql from ' ~ relation
                ~ ' order by file_year nulls first, source_file'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if plan is none -%}
        {{ relation }}
    {%- else -%}
        (
        {{ plan.columns[0].values() | join('\n        union all\n        ') }}
        )
    {%- endif -%}
{%- endmacro %}
