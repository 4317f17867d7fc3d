{#-
    The reference date of a build: var reference_date (YYYY-MM-DD), else 31 December of the
    newest file year among the used input files (`raw_files`: a relation with the columns of
    stg_cbs__raw_files). Never the clock: the same inputs always build the same warehouse.
-#}
{% macro reference_date(raw_files) -%}
    {%- if var('reference_date', none) is not none -%}
        date '{{ var("reference_date") }}'
    {%- else -%}
        (select make_date(max(file_year), 12, 31) from {{ raw_files }} where status = 'used')
    {%- endif -%}
{%- endmacro %}
