{#-
    The register cut down to the persons the study can use, early: the linked sample members
    and every person in a matching cell (var matching_keys) of one of them. Controls are drawn
    from offenders' cells only, so nothing downstream needs the rest of the register (at
    national size about four in five of its 24 million persons). One read of the register
    (int_persons, a view) and a table of the cut.
-#}
{%- set keys = var('matching_keys') -%}
with

persons as (
    select * from {{ ref('int_persons') }}
),

sample as (
    select * from {{ ref('stg_cbs__study_sample') }}
),

sample_keys as (
    select distinct
        rinpersoons,
        rinpersoon
    from sample
    where rinpersoons = 'R'
),

sample_persons as (
    select persons.*
    from persons
    semi join sample_keys
        on
            persons.rinpersoons = sample_keys.rinpersoons
            and persons.rinpersoon = sample_keys.rinpersoon
),

sample_cells as (
    select distinct {{ keys | join(', ') }}
    from sample_persons
    where {{ all_not_null(keys) }}
),

cell_persons as (
    select persons.*
    from persons
    semi join sample_cells
        on
        {% for key in keys -%}
            {{ 'and ' if not loop.first }}persons.{{ key }} = sample_cells.{{ key }}
        {% endfor %}
),

study_persons as (
    select
        rinpersoons,
        rinpersoon,
        sex,
        birth_year,
        birth_month,
        migration_generation,
        origin_group_code,
        death_date
    from cell_persons
    union
    select
        rinpersoons,
        rinpersoon,
        sex,
        birth_year,
        birth_month,
        migration_generation,
        origin_group_code,
        death_date
    from sample_persons
)

select * from study_persons
