with

careers as (
    select * from {{ ref('int_offender_careers') }}
),

final as (
    select
        rinpersoons,
        rinpersoon,
        profile,
        cast(birth_year as integer) as birth_year,
        cast(birth_month as integer) as birth_month,
        first_ht_date,
        n_cases,
        first_offence_date,
        cast(age_first_offence as double) as age_first_offence,
        cast(age_first_ht as double) as age_first_ht,
        n_cases_before_first_ht,
        starts_with_ht
    from careers
)

select * from final
