{#- Trimmed text, null when empty or one of the given "unknown" markers. -#}
{% macro clean_text(column, unknown=[]) -%}
    case
        when trim({{ column }}) in ('' {%- for value in unknown %}, '{{ value }}'{% endfor %})
            then null
        else trim({{ column }})
    end
{%- endmacro %}

{#- Text with digits only as an integer; anything else null. -#}
{% macro parse_integer(column) -%}
    case
        when {{ full_match('trim(' ~ column ~ ')', '[0-9]+') }}
            then {{ dbt.safe_cast('trim(' ~ column ~ ')', api.Column.translate_type('integer')) }}
    end
{%- endmacro %}

{#-
    The report categories of Figure A3 as columns (victim_<category> of int_victimisations and
    fct_study_persons, part of the public interface): the codes of the report_categories seed in
    its sort order, read from the built seed, so the list lives in the seed only.
-#}
{% macro report_categories() -%}
    {{ return(seed_codes('report_categories', 'report_category')) }}
{%- endmacro %}

{#-
    The codes of a vocabulary seed in its sort order, read from the built seed (run_query, on
    DuckDB and Spark alike); the ref() makes the seed a parent of the model that calls this.
    While dbt parses, and where the seed is not built (the lint target, `blsu docs` on an empty
    database), the list is empty. A unit test, whose only inputs are its givens, gives the codes
    its hand-made rows use: `overrides: macros: {report_categories: [...]}`.
-#}
{% macro seed_codes(seed_name, column) -%}
    {%- if model is defined and model.resource_type == 'unit_test' -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "a unit test of a model that reads the seed " ~ seed_name ~ " gives its codes: "
                ~ "overrides: macros: {report_categories: [...]}") }}
        {%- endif -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set seed = ref(seed_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set built = adapter.get_relation(
        database=seed.database, schema=seed.schema, identifier=seed.identifier) -%}
    {%- if built is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set codes = run_query(
        'select ' ~ column ~ ' from ' ~ built ~ ' order by sort_order') -%}
    {{ return(codes.columns[0].values() | list) }}
{%- endmacro %}

{#- The categories of a relation's victim_<category> columns, as built (empty before). -#}
{% macro victim_columns(relation) -%}
    {%- set categories = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if (column.name | lower).startswith('victim_') -%}
                {%- do categories.append((column.name | lower)[7:]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(categories) }}
{%- endmacro %}

{#- `a is not null and b is not null ...` for a list of columns, optionally qualified. -#}
{% macro all_not_null(columns, relation=none) -%}
    {%- for column in columns -%}
        {{ relation ~ '.' if relation else '' }}{{ column }} is not null
        {%- if not loop.last %} and {% endif -%}
    {%- endfor -%}
{%- endmacro %}
