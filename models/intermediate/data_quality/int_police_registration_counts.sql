{#-
    The police registrations' counts that dq_findings reports, in one read of every police row
    (staging is a view over the ingested files): unlinkable rows, unknown dates, rows outside the
    victimisation window, other roles, unknown and missing feitcodes. One row; the wording of
    each finding stays in dq_findings.
-#}
with

registrations as (
    select * from {{ ref('stg_cbs__police_registrations') }}
),

feitcodes as (
    select * from {{ ref('feitcodes') }}
),

counts as (
    select
        count(*) filter (
            where coalesce(registrations.rinpersoons, '') <> 'R'
        ) as n_unlinkable,
        count(*) filter (
            where registrations.registration_date is null
        ) as n_unknown_registration_date,
        count(*) filter (where registrations.offence_date is null) as n_unknown_offence_date,
        count(*) filter (
            where registrations.rinpersoons = 'R'
            and registrations.registration_date not between date '{{ var("victim_window_start") }}'
            and date '{{ var("victim_window_end") }}'
        ) as n_outside_window,
        count(*) filter (
            where registrations.role is null or registrations.role not in ('A', 'S')
        ) as n_other_role,
        count(*) filter (
            where registrations.offence_code is not null and feitcodes.feitcode is null
        ) as n_unknown_offence_code,
        count(*) filter (where registrations.offence_code is null) as n_without_offence_code
    from registrations
    left join feitcodes
        on registrations.offence_code = feitcodes.feitcode
),

final as (
    select
        cast(n_unlinkable as bigint) as n_unlinkable,
        cast(n_unknown_registration_date as bigint) as n_unknown_registration_date,
        cast(n_unknown_offence_date as bigint) as n_unknown_offence_date,
        cast(n_outside_window as bigint) as n_outside_window,
        cast(n_other_role as bigint) as n_other_role,
        cast(n_unknown_offence_code as bigint) as n_unknown_offence_code,
        cast(n_without_offence_code as bigint) as n_without_offence_code
    from counts
)

select * from final
