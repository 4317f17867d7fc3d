{#-
    Linked register persons, one row per key. A key that occurs more than once keeps its row
    with the lowest birth year, then sex. Duplicates are found through a 64-bit hash of the key
    (an integer group-by instead of a window over 24 million text keys); every row whose hash
    occurs more than once, a true duplicate or a hash collision, is then ranked on the key
    itself, so the result is exact.

    A view: the register (24 million persons at national size) is never copied. It is read
    whole by int_study_cell_persons (the part of the register the study can use, a table) and by
    the register findings of dq_findings.
-#}
{{ config(materialized='view') }}
with

persons as (
    select * from {{ ref('stg_cbs__persons') }}
),

deaths as (
    select * from {{ ref('stg_cbs__deaths') }}
),

linked_rows as (
    select
        *,
        hash(rinpersoons, rinpersoon) as key_hash
    from persons
    where rinpersoons = 'R'
),

shared_hashes as (
    select key_hash
    from linked_rows
    group by key_hash
    having count(*) > 1
),

single_rows as (
    select
        linked_rows.*,
        cast(1 as bigint) as key_rank
    from linked_rows
    anti join shared_hashes
        on linked_rows.key_hash = shared_hashes.key_hash
),

ranked_shared as (
    select
        linked_rows.*,
        row_number() over (
            partition by linked_rows.rinpersoons, linked_rows.rinpersoon
            order by linked_rows.birth_year nulls last, linked_rows.sex nulls last
        ) as key_rank
    from linked_rows
    semi join shared_hashes
        on linked_rows.key_hash = shared_hashes.key_hash
),

first_of_shared as (
    select *
    from ranked_shared
    where key_rank = 1
),

linked_persons as (
    select * from single_rows
    union all
    select * from first_of_shared
),

linked_deaths as (
    select
        rinpersoons,
        rinpersoon,
        min(death_date) as death_date
    from deaths
    where rinpersoons = 'R'
    group by rinpersoons, rinpersoon
),

joined as (
    select
        linked_persons.rinpersoons,
        linked_persons.rinpersoon,
        linked_persons.sex,
        linked_persons.birth_year,
        linked_persons.birth_month,
        linked_persons.migration_generation,
        linked_persons.origin_group_code,
        linked_deaths.death_date
    from linked_persons
    left join linked_deaths
        on
            linked_persons.rinpersoons = linked_deaths.rinpersoons
            and linked_persons.rinpersoon = linked_deaths.rinpersoon
)

select * from joined
