{#-
    on-run-end: a dbt run that changes the warehouse drops the record of what the warehouse
    holds (blsu_meta.warehouse_record, written by `blsu build` and `blsu refresh` after dbt), so
    that a `dbt build` run by hand, with other vars or on other files, is never taken for the
    state the record describes: the next `blsu refresh` rebuilds in full instead.
-#}
{% macro forget_warehouse_record() -%}
    {%- if flags.WHICH in ['build', 'run', 'seed', 'snapshot'] -%}
        drop table if exists blsu_meta.warehouse_record
    {%- endif -%}
{%- endmacro %}
