{%- set categories = report_categories() -%}
with

population as (
    select * from {{ ref('int_study_population') }}
),

lvb as (
    select * from {{ ref('int_lvb_indicators') }}
),

victimisations as (
    select * from {{ ref('int_victimisations') }}
),

recent as (
    select * from {{ ref('int_recent_victimisation') }}
),

trajectories as (
    select * from {{ ref('int_trajectory_assignments') }}
),

victimisation_summary as (
    select
        rinpersoons,
        rinpersoon,
        {% for category in categories -%}
        bool_or(victim_{{ category }}) as victim_{{ category }},
        {% endfor -%}
        count(distinct incident_id) as n_victimisations
    from victimisations
    group by rinpersoons, rinpersoon
),

study_persons as (
    select
        population.rinpersoons,
        population.rinpersoon,
        population.study_group,
        {{ chosen_profile('population.profile', 'trajectories.estimated_profile') }} as profile,
        population.matched_rinpersoon,
        population.sex,
        cast(population.birth_year as integer) as birth_year,
        cast(population.birth_month as integer) as birth_month,
        population.migration_generation,
        lvb.has_lvb,
        lvb.lvb_ao,
        lvb.lvb_ciz,
        lvb.lvb_wsw,
        coalesce(victimisation_summary.n_victimisations, 0) > 0 as is_victim,
        cast(coalesce(victimisation_summary.n_victimisations, 0) as integer) as n_victimisations,
        {% for category in categories -%}
        coalesce(victimisation_summary.victim_{{ category }}, false) as victim_{{ category }},
        {% endfor -%}
        population.first_ht_date,
        recent.recent_victim_eligible,
        recent.recent_victim_3y,
        population.profile as stated_profile,
        trajectories.estimated_profile,
        trajectories.posterior_probability as estimated_profile_probability
    from population
    inner join lvb
        on
            population.rinpersoons = lvb.rinpersoons
            and population.rinpersoon = lvb.rinpersoon
    left join victimisation_summary
        on
            population.rinpersoons = victimisation_summary.rinpersoons
            and population.rinpersoon = victimisation_summary.rinpersoon
    left join recent
        on
            population.rinpersoons = recent.rinpersoons
            and population.rinpersoon = recent.rinpersoon
            and population.study_group = 'blsu'
    left join trajectories
        on
            population.rinpersoons = trajectories.rinpersoons
            and population.rinpersoon = trajectories.rinpersoon
            and population.study_group = 'blsu'
)

select * from study_persons
