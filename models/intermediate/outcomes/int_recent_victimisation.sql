{#-
    Offenders only. Eligible when first_ht_date is on or after the victimisation window start
    plus var recent_lookback_years (2013-01-01 by default). A recent victimisation has its date
    (PLEEGDATUM, else REGISTRATIEDATUM) in [first_ht_date - look-back, first_ht_date).
-#}
{%- set lookback = var('recent_lookback_years') -%}
with

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

victimisations as (
    select * from {{ ref('int_victimisations') }}
),

eligibility as (
    select
        rinpersoons,
        rinpersoon,
        first_ht_date,
        coalesce(
            first_ht_date
            >= {{ dbt.dateadd('year', lookback, "date '" ~ var('victim_window_start') ~ "'") }},
            false
        ) as recent_victim_eligible
    from cohort
),

recent_incidents as (
    select
        eligibility.rinpersoons,
        eligibility.rinpersoon,
        count(distinct victimisations.incident_id) as n_recent_victimisations
    from eligibility
    inner join victimisations
        on
            eligibility.rinpersoons = victimisations.rinpersoons
            and eligibility.rinpersoon = victimisations.rinpersoon
            and victimisations.victimisation_date
            >= {{ dbt.dateadd('year', -lookback, 'eligibility.first_ht_date') }}
            and eligibility.first_ht_date > victimisations.victimisation_date
    where eligibility.recent_victim_eligible
    group by eligibility.rinpersoons, eligibility.rinpersoon
),

recent as (
    select
        eligibility.rinpersoons,
        eligibility.rinpersoon,
        eligibility.recent_victim_eligible,
        case
            when eligibility.recent_victim_eligible
                then coalesce(recent_incidents.n_recent_victimisations, 0) > 0
        end as recent_victim_3y
    from eligibility
    left join recent_incidents
        on
            eligibility.rinpersoons = recent_incidents.rinpersoons
            and eligibility.rinpersoon = recent_incidents.rinpersoon
)

select * from recent
