{#-
    The groups every figure reports on: each study person once under their study group and each
    offender (study_group `blsu`) once more under their profile. Adds group_type (`study_group`
    or `profile`) and group_name in front of the persons' columns.
-#}
{% macro reporting_groups(persons) -%}
    select
        'study_group' as group_type,
        study_group as group_name,
        *
    from {{ persons }}
    union all
    select
        'profile' as group_type,
        profile as group_name,
        *
    from {{ persons }}
    where study_group = 'blsu'
{%- endmacro %}
