{#-
    The register's counts that dq_findings reports, in one read of the register: linked and
    unlinkable rows, linked persons (int_persons: one per key) and linked persons whose sex or birth year is
    unknown. A table of one row, rebuilt only when the register changes, so that a refresh of a
    police year does not read the register again.
-#}
with

register_rows as (
    select * from {{ ref('stg_cbs__persons') }}
),

persons as (
    select * from {{ ref('int_persons') }}
),

row_counts as (
    select
        count(*) filter (where rinpersoons = 'R') as n_linked_rows,
        count(*) filter (where coalesce(rinpersoons, '') <> 'R') as n_unlinkable_rows
    from register_rows
),

linked_persons as (
    select
        count(*) as n_linked_persons,
        count(*) filter (
            where sex is null or birth_year is null
        ) as n_unknown_sex_or_birth_year
    from persons
),

counts as (
    select
        cast(row_counts.n_linked_rows as bigint) as n_linked_rows,
        cast(row_counts.n_unlinkable_rows as bigint) as n_unlinkable_rows,
        cast(linked_persons.n_linked_persons as bigint) as n_linked_persons,
        cast(linked_persons.n_unknown_sex_or_birth_year as bigint)
            as n_unknown_sex_or_birth_year
    from row_counts
    cross join linked_persons
)

select * from counts
