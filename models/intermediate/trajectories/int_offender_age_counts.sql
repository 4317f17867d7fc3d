{#-
    One row per offender and age-year touched by the OM window: the OM cases dated in that
    age-year and how much of it was observed (inside the OM window, alive, at least
    var trajectory_min_age). Ages not observed at all keep their row with is_observed false and
    n_cases null: they are masked, never counted as zero.
-#}
with

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

om_cases as (
    select * from {{ ref('int_om_cases') }}
),

ages as (
    select cast(generated_number - 1 as integer) as age
    from ({{ dbt.generate_series(120) }}) as numbers
),

offenders as (
    select
        rinpersoons,
        rinpersoon,
        death_date,
        {{ assumed_birth_date('birth_year', 'birth_month') }} as birth_date
    from cohort
    where birth_year is not null
),

age_years as (
    select
        offenders.rinpersoons,
        offenders.rinpersoon,
        offenders.death_date,
        ages.age,
        {{ dbt.dateadd('year', 'ages.age', 'offenders.birth_date') }} as age_start,
        {{ dbt.dateadd('year', '(ages.age + 1)', 'offenders.birth_date') }} as age_end
    from offenders
    cross join ages
),

in_window as (
    select
        *,
        greatest(age_start, date '{{ var("om_window_start") }}') as observed_from,
        least(
            age_end,
            {{ dbt.dateadd('day', 1, "date '" ~ var("om_window_end") ~ "'") }},
            coalesce(death_date, age_end)
        ) as observed_until
    from age_years
    where
        age_start <= date '{{ var("om_window_end") }}'
        and age_end > date '{{ var("om_window_start") }}'
        and age >= {{ var('trajectory_min_age') }}
),

spans as (
    select
        *,
        observed_until > observed_from as is_observed,
        {{ dbt.datediff('observed_from', 'observed_until', 'day') }}
            as observed_days,
        {{ dbt.datediff('age_start', 'age_end', 'day') }}
            as age_days
    from in_window
),

window_cases as (
    select
        rinpersoons,
        rinpersoon,
        case_id,
        case_date
    from om_cases
    where is_in_om_window
),

cases_per_age as (
    select
        in_window.rinpersoons,
        in_window.rinpersoon,
        in_window.age,
        count(distinct window_cases.case_id) as n_cases
    from spans as in_window
    inner join window_cases
        on
            in_window.rinpersoons = window_cases.rinpersoons
            and in_window.rinpersoon = window_cases.rinpersoon
            and in_window.age_start <= window_cases.case_date
            and in_window.age_end > window_cases.case_date
    group by in_window.rinpersoons, in_window.rinpersoon, in_window.age
),

person_ages as (
    select
        spans.rinpersoons,
        spans.rinpersoon,
        spans.age,
        spans.is_observed,
        case
            when spans.is_observed then cast(spans.observed_days as double) / spans.age_days
            else 0
        end as exposure,
        case
            when spans.is_observed then cast(coalesce(cases_per_age.n_cases, 0) as integer)
        end as n_cases
    from spans
    left join cases_per_age
        on
            spans.rinpersoons = cases_per_age.rinpersoons
            and spans.rinpersoon = cases_per_age.rinpersoon
            and spans.age = cases_per_age.age
)

select * from person_ages
