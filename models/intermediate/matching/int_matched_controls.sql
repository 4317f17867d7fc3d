{#-
    1:1 exact matching without replacement, separately per pool. Inside each cell of the
    matching keys (var matching_keys), offenders and candidates are put in a random order given by
    a hash of var matching_seed and the person key; the k-th offender gets the k-th candidate.
    Reproducible for a given seed and input; offenders beyond the cell's candidates stay
    unmatched (counted in dq_findings).
-#}
{%- set keys = var('matching_keys') -%}
{%- set seed = var('matching_seed') | string -%}
{%- set offender_draw_key =
    "'" ~ seed ~ "|' || pools.study_group || '|' || cohort.rinpersoons || cohort.rinpersoon" -%}
{%- set candidate_draw_key =
    "'" ~ seed ~ "|' || study_group || '|' || rinpersoons || rinpersoon" -%}
with

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

candidates as (
    select * from {{ ref('int_control_candidates') }}
),

pools as (
    select 'criminal_control' as study_group
    union all
    select 'noncriminal_control' as study_group
),

offender_slots as (
    select
        pools.study_group,
        cohort.rinpersoons,
        cohort.rinpersoon,
        {% for key in keys %}cohort.{{ key }},
        {% endfor -%}
        row_number() over (
            partition by pools.study_group, cohort.{{ keys | join(', cohort.') }}
            order by
                {{ dbt.hash(offender_draw_key) }},
                cohort.rinpersoon
        ) as cell_rank
    from cohort
    cross join pools
    where {{ all_not_null(keys, 'cohort') }}
),

candidate_draw as (
    select
        study_group,
        rinpersoons,
        rinpersoon,
        {% for key in keys %}{{ key }},
        {% endfor -%}
        row_number() over (
            partition by study_group, {{ keys | join(', ') }}
            order by
                {{ dbt.hash(candidate_draw_key) }},
                rinpersoon
        ) as cell_rank
    from candidates
),

matched as (
    select
        candidate_draw.study_group,
        candidate_draw.rinpersoons,
        candidate_draw.rinpersoon,
        offender_slots.rinpersoons as matched_rinpersoons,
        offender_slots.rinpersoon as matched_rinpersoon,
        {% for key in keys %}candidate_draw.{{ key }},
        {% endfor -%}
        candidate_draw.cell_rank
    from offender_slots
    inner join candidate_draw
        on
            offender_slots.study_group = candidate_draw.study_group
            {% for key in keys %}and offender_slots.{{ key }} = candidate_draw.{{ key }}
            {% endfor -%}
            and offender_slots.cell_rank = candidate_draw.cell_rank
)

select * from matched
