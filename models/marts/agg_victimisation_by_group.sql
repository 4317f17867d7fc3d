{#-
    Figure A2: victims in the victimisation window, mean victimisations among victims and recent
    victimisation among eligible offenders, per study group and profile, disclosure-controlled.
-#}
with

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

grouped as (
    {{ reporting_groups('study_persons') }}
),

counts as (
    select
        group_type,
        group_name,
        count(*) as n_persons,
        count(*) filter (where is_victim) as victims_n,
        sum(n_victimisations) filter (where is_victim) as victimisations_n,
        count(*) filter (where recent_victim_eligible) as recent_eligible_n,
        count(*) filter (where recent_victim_3y) as recent_victims_n
    from grouped
    group by group_type, group_name
),

controlled as (
    select
        group_type,
        group_name,
        {{ dc_count('n_persons') }} as n_persons,
        {{ dc_count('victims_n') }} as victims_n,
        {{ dc_ratio('victims_n', 'n_persons', 100) }} as victim_pct,
        {{ dc_ratio('coalesce(victimisations_n, 0)', 'victims_n') }}
            as mean_victimisations_among_victims,
        {{ dc_count('recent_eligible_n') }} as recent_eligible_n,
        {{ dc_ratio('recent_eligible_n', 'n_persons', 100) }} as recent_eligible_pct,
        {{ dc_count('recent_victims_n') }} as recent_victims_n,
        {{ dc_ratio('recent_victims_n', 'recent_eligible_n', 100) }} as recent_victim_pct
    from counts
)

select * from controlled
