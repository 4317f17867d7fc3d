{#- A YYYYMMDD text date as a date; empty, malformed or impossible dates become null. -#}
{% macro parse_yyyymmdd(column) -%}
    {{ return(adapter.dispatch('parse_yyyymmdd')(column)) }}
{%- endmacro %}

{#-
    DuckDB: eight ASCII digits, tested as length 8 with nothing left once the digits are
    stripped (the same as matching `[0-9]{8}`, at about half the cost of the regular expression:
    the staging views parse the police dates of every row, 20 million at national size).
-#}
{% macro default__parse_yyyymmdd(column) -%}
    case
        when length(trim({{ column }})) = 8 and ltrim(trim({{ column }}), '0123456789') = ''
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
