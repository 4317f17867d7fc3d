{{ config(**incremental_by_file_year()) }}

{#-
    The police rows tallied by file year, registration date and offence code, with the parts
    that dq_findings reports (int_police_registration_counts applies the victimisation window and
    the feitcodes seed to these few rows). Nothing here depends on a var or a seed, so a year
    once tallied stays right; a refresh of one SLOAANG year reads that year's file only (macro
    where_file_pending).
-#}
with

registrations as (
    select * from {{ ref('stg_cbs__police_registrations') }}
),

pending_rows as (
    select *
    from registrations
    {{ where_file_pending('registrations', 'cbs', 'sloaang') }}
),

tallies as (
    select
        file_year,
        file_signature,
        registration_date,
        offence_code,
        count(*) as n_rows,
        count(*) filter (where rinpersoons = 'R') as n_linked,
        count(*) filter (where offence_date is null) as n_unknown_offence_date,
        count(*) filter (where role is null or role not in ('A', 'S')) as n_other_role
    from pending_rows
    group by file_year, file_signature, registration_date, offence_code
),

final as (
    select
        cast(file_year as integer) as file_year,
        cast(file_signature as {{ dbt.type_string() }}) as file_signature,
        registration_date,
        offence_code,
        cast(n_rows as bigint) as n_rows,
        cast(n_linked as bigint) as n_linked,
        cast(n_unknown_offence_date as bigint) as n_unknown_offence_date,
        cast(n_other_role as bigint) as n_other_role
    from tallies
)

select * from final
