with

om_rows as (
    select * from {{ ref('stg_cbs__om_cases') }}
),

linked_rows as (
    select *
    from om_rows
    where rinpersoons = 'R'
),

cases as (
    select
        rinpersoons,
        rinpersoon,
        case_id,
        min(registration_date) as registration_date,
        coalesce(min(offence_date), min(registration_date)) as case_date,
        coalesce(bool_or(offence_code = '{{ var("ht_offence_code") }}'), false) as is_ht_case
    from linked_rows
    group by rinpersoons, rinpersoon, case_id
),

flagged as (
    select
        *,
        coalesce(
            registration_date between date '{{ var("om_window_start") }}'
            and date '{{ var("om_window_end") }}',
            false
        ) as is_in_om_window
    from cases
)

select * from flagged
