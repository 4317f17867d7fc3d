{#-
    The rows of a raw-extract source, for a staging model's `source` CTE.

    The loader plugin (blsu_ingest.plugin) exposes the ingestion: per source a scan plan, one row
    per used file with its lineage and SCAN_SQL, the `select` that reads the file's canonical
    Parquet form. This macro inlines the selects (`union all`, in file order), so the rows are
    read from the files by the staging model itself and written into the warehouse once. At parse
    time, and for a dataset without files (an empty table of its columns), it is the source
    relation. A plan is recognised by its exact columns (the lineage, N_ROWS and SCAN_SQL): a
    table of rows always has the dataset's columns too, so a column that an extract happens to
    call SCAN_SQL is data, never SQL that is run.

    In an incremental model the plan is keyed on the model's own rows: a file whose year and
    signature the model already holds is left out, so a refresh reads only the new and changed
    years (the model deletes and inserts by file_year). A year the model holds that the plan no
    longer has is an error: a load never removes a year silently.
-#}
{% macro raw_extract(source_name, table_name) -%}
    {{ return(adapter.dispatch('raw_extract')(source_name, table_name)) }}
{%- endmacro %}

{#- DuckDB: the scan plan the loader plugin exposes as the source relation. -#}
{% macro default__raw_extract(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set plan = none -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name')
            | map('lower') | list -%}
        {%- set plan_columns = ['source_file', 'file_year', 'file_version', 'file_signature',
            'n_rows', 'scan_sql'] -%}
        {%- if columns | sort == plan_columns | sort -%}
            {%- set held_filter = '' -%}
            {%- if is_incremental() -%}
                {%- set gone = run_query(
                    'select distinct held.file_year, held.source_file from ' ~ this ~ ' as held'
                    ~ ' where not exists (select 1 from ' ~ relation ~ ' as planned'
                    ~ ' where planned.file_year = held.file_year) order by 1'
                ) -%}
                {%- if gone.rows | length > 0 -%}
                    {{ exceptions.raise_compiler_error(
                        'year(s) ' ~ (gone.rows | map('join', ' (') | join('), ')) ~ ') of '
                        ~ table_name ~ ' are in the warehouse but their file is gone from the'
                        ~ ' raw folder; a load never removes a year. Put the file back, or'
                        ~ ' rebuild from scratch with `blsu build` if the year is meant to go'
                    ) }}
                {%- endif -%}
                {%- set held_filter = ' where not exists (select 1 from ' ~ this ~ ' as held'
                    ~ ' where held.file_year = planned.file_year'
                    ~ ' and held.file_signature = planned.file_signature)' -%}
            {%- endif -%}
            {%- set plan = run_query(
                'select scan_sql from ' ~ relation ~ ' as planned' ~ held_filter
                ~ ' order by file_year nulls first, source_file'
            ) -%}
            {%- if plan.rows | length == 0 -%}
                {%- set plan = run_query(
                    'select scan_sql || \' limit 0\' from ' ~ relation
                    ~ ' order by file_year nulls first, source_file limit 1'
                ) -%}
            {%- endif -%}
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

{#-
    The scan plan of a source as a relation (one row per used file: its lineage, N_ROWS and
    SCAN_SQL), or none when the warehouse holds no plan for it.
-#}
{% macro raw_extract_plan(source_name, table_name) -%}
    {{ return(adapter.dispatch('raw_extract_plan')(source_name, table_name)) }}
{%- endmacro %}

{#-
    DuckDB: the table the loader plugin wrote when a model read the source through `source()`
    (the staging model upstream, earlier in the same run). Found by name, not through
    `source()`, which would load the source again: two models loading one source at the same
    time conflict in DuckDB.
-#}
{% macro default__raw_extract_plan(source_name, table_name) -%}
    {%- for node in graph.sources.values()
        if node.source_name == source_name and node.name == table_name -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.identifier) -%}
        {%- if relation is not none -%}
            {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name')
                | map('lower') | list -%}
            {%- if columns | sort == ['file_signature', 'file_version', 'file_year', 'n_rows',
                'scan_sql', 'source_file'] -%}
                {{ return(relation) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
