{#-
    Disclosure control of a count: null (suppressed) when the unrounded count is below
    var dc_min_cell, otherwise rounded to the nearest multiple of var dc_rounding_base.
-#}
{% macro dc_count(count_expr) -%}
    case
        when ({{ count_expr }}) < {{ var('dc_min_cell') }} then null
        else cast(
            round(({{ count_expr }}) / {{ var('dc_rounding_base') }}::double)
            * {{ var('dc_rounding_base') }} as integer
        )
    end
{%- endmacro %}

{#-
    A share (percent) or mean from unrounded parts, suppressed (null) when its denominator is
    below var dc_min_cell.
-#}
{% macro dc_ratio(numerator, denominator, scale=1) -%}
    case
        when ({{ denominator }}) < {{ var('dc_min_cell') }} then null
        else {{ scale }} * ({{ numerator }})::double / ({{ denominator }})
    end
{%- endmacro %}
