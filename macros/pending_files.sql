{#-
    Models counted per file of a staged dataset read per file year (int_police_registration_files,
    int_om_case_files, int_police_registration_tallies): incremental by file_year, an incremental
    run reads only the files it does not yet hold with the same signature.
-#}

{#-
    In an incremental run of a model keyed on file_year and file_signature (a per-file count of
    a staged dataset), the years of the source's planned files that the model does not hold
    with the same signature: a new year, or a year whose file changed. Known from the scan plan
    (one row per file), so a model can filter on these years as literals and the engine reads
    only their files (in DuckDB a filter on a union of per-file selects with a constant
    file_year drops the other files' scans). None when not known: at parse time, outside an
    incremental run, or when a pending file has no year.
-#}
{% macro pending_file_years(source_name, table_name) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set plan = raw_extract_plan(source_name, table_name) -%}
    {%- if plan is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set pending = run_query(
        'select distinct planned.file_year from ' ~ plan ~ ' as planned'
        ~ ' where not exists (select 1 from ' ~ this ~ ' as held'
        ~ ' where held.file_year = planned.file_year'
        ~ ' and held.file_signature = planned.file_signature)'
        ~ ' order by 1'
    ).columns[0].values() | list -%}
    {%- if none in pending -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(pending | map('int') | list) }}
{%- endmacro %}

{#-
    The `where` clause of such a model's read of `relation_alias` (nothing outside an incremental
    run): rows of files that the model does not hold with the same year and signature, the years
    also given as literals when known (macro pending_file_years), so that the engine reads only
    those files.
-#}
{% macro where_file_pending(relation_alias, source_name, table_name) -%}
    {%- if is_incremental() -%}
        {%- set pending_years = pending_file_years(source_name, table_name) %}
    where
        {% if pending_years is not none -%}
        {{ relation_alias }}.file_year in ({{ (pending_years | join(', ')) or 'null' }})
        and
        {% endif -%}
        not exists (
            select 1
            from {{ this }} as held
            where
                held.file_year = {{ relation_alias }}.file_year
                and held.file_signature = {{ relation_alias }}.file_signature
        )
    {%- endif -%}
{%- endmacro %}
