{#-
    The rows of a raw-extract source, for a staging model's `source` CTE.

    The loader plugin (blsu.loader.plugin) stores, per source, either the rows it read (CSV and
    .sav files) or, when every file to read is Parquet, a scan plan: one row per file with
    SCAN_SQL, the `select` that reads that file in place. For a plan this macro inlines the
    selects (`union all`, in file order), so the rows are read from the files by the staging
    model itself and written into the warehouse once. At parse time, and for a table of rows,
    it is the source relation. A plan is recognised by its exact columns (the lineage, N_ROWS and
    SCAN_SQL): a table of rows always has the dataset's columns too, so a column that an extract
    happens to call SCAN_SQL is data, never SQL that is run.
-#}
{% macro raw_extract(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set plan = none -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name')
            | map('lower') | list -%}
        {%- set plan_columns = ['source_file', 'file_year', 'file_version', 'file_signature',
            'n_rows', 'scan_sql'] -%}
        {%- if columns | sort == plan_columns | sort -%}
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
