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
    fct_study_persons, part of the public interface): the codes of the report_categories seed,
    which holds their order and labels (tests/dbt/assert_report_categories_are_the_victim_columns).
-#}
{% macro report_categories() -%}
    {{ return([
        'geweld', 'vermogen', 'zeden', 'vernieling_openbare_orde', 'verkeer', 'overig',
        'mensenhandel',
    ]) }}
{%- endmacro %}

{#- `a is not null and b is not null ...` for a list of columns, optionally qualified. -#}
{% macro all_not_null(columns, relation=none) -%}
    {%- for column in columns -%}
        {{ relation ~ '.' if relation else '' }}{{ column }} is not null
        {%- if not loop.last %} and {% endif -%}
    {%- endfor -%}
{%- endmacro %}
