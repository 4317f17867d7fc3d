{#-
    The police registrations' counts that dq_findings reports: unlinkable rows, unknown dates,
    rows outside the victimisation window, other roles, unknown and missing feitcodes. Summed
    from the tallies per file year, registration date and offence code
    (int_police_registration_tallies, kept per year), so the window vars and the feitcodes seed
    apply without reading a police row again. One row; the wording of each finding stays in
    dq_findings.
-#}
with

tallies as (
    select * from {{ ref('int_police_registration_tallies') }}
),

feitcodes as (
    select * from {{ ref('feitcodes') }}
),

counts as (
    select
        coalesce(sum(tallies.n_rows - tallies.n_linked), 0) as n_unlinkable,
        coalesce(sum(tallies.n_rows) filter (
            where tallies.registration_date is null
        ), 0) as n_unknown_registration_date,
        coalesce(sum(tallies.n_unknown_offence_date), 0) as n_unknown_offence_date,
        coalesce(sum(tallies.n_linked) filter (
            where tallies.registration_date not between date '{{ var("victim_window_start") }}'
            and date '{{ var("victim_window_end") }}'
        ), 0) as n_outside_window,
        coalesce(sum(tallies.n_other_role), 0) as n_other_role,
        coalesce(sum(tallies.n_rows) filter (
            where tallies.offence_code is not null and feitcodes.feitcode is null
        ), 0) as n_unknown_offence_code,
        coalesce(sum(tallies.n_rows) filter (
            where tallies.offence_code is null
        ), 0) as n_without_offence_code
    from tallies
    left join feitcodes
        on tallies.offence_code = feitcodes.feitcode
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
