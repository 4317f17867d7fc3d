{#-
    SQL that DuckDB and Spark write differently, one macro each (adapter.dispatch: `default__`
    is DuckDB's form, `spark__` Spark's). The models call these instead of engine-only syntax.
-#}

{#- True when the whole of `expression` matches the regular expression `pattern`. -#}
{% macro full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('full_match')(expression, pattern)) }}
{%- endmacro %}

{% macro default__full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{#-
    The keyword of a common table expression that is read by several parts of a query and
    should not be computed into a temporary result (DuckDB `as not materialized (...)`); Spark
    inlines every CTE and has no such keyword.
-#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized')()) }}
{%- endmacro %}

{% macro default__cte_not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__cte_not_materialized() -%}
{%- endmacro %}

{#-
    The config of a model loaded per file year (OM cases, police registrations and their file
    counts): an incremental run replaces the rows of the file years it reads. DuckDB deletes and
    inserts by file_year; Spark overwrites the file_year partitions of a Parquet table.
-#}
{% macro incremental_by_file_year() -%}
    {{ return(adapter.dispatch('incremental_by_file_year')()) }}
{%- endmacro %}

{% macro default__incremental_by_file_year() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'file_year',
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{% macro spark__incremental_by_file_year() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'file_format': 'parquet',
        'partition_by': ['file_year'],
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{#- A 64-bit hash of every column of a relation's row (`relation_alias` is the query's alias). -#}
{% macro row_hash(relation_alias) -%}
    {{ return(adapter.dispatch('row_hash')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_hash(relation_alias) -%}
    hash({{ relation_alias }})
{%- endmacro %}

{% macro spark__row_hash(relation_alias) -%}
    xxhash64({{ relation_alias }}.*)
{%- endmacro %}
