{#- A YYYYMMDD text date as a date; empty, malformed or impossible dates become null. -#}
{% macro parse_yyyymmdd(column) -%}
    {{ return(adapter.dispatch('parse_yyyymmdd')(column)) }}
{%- endmacro %}

{% macro default__parse_yyyymmdd(column) -%}
    case
        when regexp_full_match(trim({{ column }}), '[0-9]{8}')
            then try_strptime(trim({{ column }}), '%Y%m%d')::date
    end
{%- endmacro %}
