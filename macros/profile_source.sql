{#-
    The offender profile the marts report, by var profile_source: `stated` (DADERPROFIEL, else
    the cut-off estimate of int_offender_profile_estimates) or `estimated` (the group of the
    trajectory model, int_trajectory_assignments).
-#}
{% macro chosen_profile(stated_expr, estimated_expr) -%}
    {%- if var('profile_source') == 'stated' -%}
        {{ stated_expr }}
    {%- elif var('profile_source') == 'estimated' -%}
        {{ estimated_expr }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var profile_source must be 'stated' or 'estimated', got '"
            ~ var('profile_source') ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}
