{#- The first and the last day of a year given as an integer column (null stays null). -#}
{% macro year_start(year_column) -%}
    make_date({{ year_column }}, 1, 1)
{%- endmacro %}

{% macro year_end(year_column) -%}
    make_date({{ year_column }}, 12, 31)
{%- endmacro %}

{#-
    The birth date the study assumes: the 1st of the birth month, July when the month is
    unknown (the register gives year and month, no day).
-#}
{% macro assumed_birth_date(birth_year, birth_month) -%}
    make_date({{ birth_year }}, coalesce({{ birth_month }}, 7), 1)
{%- endmacro %}

{#- Age in years on a date: days since the birth date / 365.25 (not rounded). -#}
{% macro age_in_years(birth_date, on_date) -%}
    {{ dbt.datediff(birth_date, on_date, 'day') }} / cast(365.25 as double)
{%- endmacro %}
