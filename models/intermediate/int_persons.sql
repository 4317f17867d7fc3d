with

persons as (
    select * from {{ ref('stg_cbs__persons') }}
),

deaths as (
    select * from {{ ref('stg_cbs__deaths') }}
),

linked_persons as (
    select *
    from persons
    where rinpersoons = 'R'
    qualify row_number() over (
        partition by rinpersoons, rinpersoon order by birth_year, sex
    ) = 1
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
