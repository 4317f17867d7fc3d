with

careers as (
    select * from {{ ref('int_offender_careers') }}
),

trajectories as (
    select * from {{ ref('int_trajectory_assignments') }}
),

final as (
    select
        careers.rinpersoons,
        careers.rinpersoon,
        {{ chosen_profile('careers.profile', 'trajectories.estimated_profile') }} as profile,
        cast(careers.birth_year as integer) as birth_year,
        cast(careers.birth_month as integer) as birth_month,
        careers.first_ht_date,
        careers.n_cases,
        careers.first_offence_date,
        cast(careers.age_first_offence as double) as age_first_offence,
        cast(careers.age_first_ht as double) as age_first_ht,
        careers.n_cases_before_first_ht,
        careers.starts_with_ht,
        trajectories.estimated_profile
    from careers
    left join trajectories
        on
            careers.rinpersoons = trajectories.rinpersoons
            and careers.rinpersoon = trajectories.rinpersoon
)

select * from final
