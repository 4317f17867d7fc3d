{#- A YYYYMMDD text date as a date; empty, malformed or impossible dates become null. -#}
{% macro parse_yyyymmdd(column) -%}
    {{ return(adapter.dispatch('parse_yyyymmdd')(column)) }}
{%- endmacro %}

{% macro default__parse_yyyymmdd(column) -%}
    case
        when {{ full_match('trim(' ~ column ~ ')', '[0-9]{8}') }}
            then try_strptime(trim({{ column }}), '%Y%m%d')::date
    end
{%- endmacro %}

{#- Spark: to_date would fail on an impossible date under ANSI mode; try_to_timestamp is null. -#}
{% macro spark__parse_yyyymmdd(column) -%}
    case
        when {{ full_match('trim(' ~ column ~ ')', '[0-9]{8}') }}
            then cast(try_to_timestamp(trim({{ column }}), 'yyyyMMdd') as date)
    end
{%- endmacro %}
