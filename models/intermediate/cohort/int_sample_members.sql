with

sample as (
    select * from {{ ref('stg_cbs__study_sample') }}
),

persons as (
    select * from {{ ref('int_study_cell_persons') }}
),

om_cases as (
    select * from {{ ref('int_om_cases') }}
),

profiles as (
    select * from {{ ref('profiles') }}
),

ranked_sample as (
    select
        sample.rinpersoons,
        sample.rinpersoon,
        sample.case_id,
        sample.first_ht_date,
        profiles.profile as stated_profile,
        row_number() over (
            partition by sample.rinpersoons, sample.rinpersoon
            order by sample.first_ht_date nulls last, sample.case_id
        ) as sample_rank
    from sample
    left join profiles
        on sample.stated_profile = profiles.profile
    where sample.rinpersoons = 'R'
),

linked_sample as (
    select
        rinpersoons,
        rinpersoon,
        case_id,
        first_ht_date,
        stated_profile
    from ranked_sample
    where sample_rank = 1
),

ht_persons as (
    select distinct
        rinpersoons,
        rinpersoon
    from om_cases
    where is_ht_case
),

in_register as (
    select
        linked_sample.rinpersoons,
        linked_sample.rinpersoon,
        linked_sample.case_id,
        linked_sample.first_ht_date,
        linked_sample.stated_profile,
        persons.sex,
        persons.birth_year,
        persons.birth_month,
        persons.migration_generation,
        persons.death_date,
        ht_persons.rinpersoon is not null as has_ht_case_in_om
    from linked_sample
    inner join persons
        on
            linked_sample.rinpersoons = persons.rinpersoons
            and linked_sample.rinpersoon = persons.rinpersoon
    left join ht_persons
        on
            linked_sample.rinpersoons = ht_persons.rinpersoons
            and linked_sample.rinpersoon = ht_persons.rinpersoon
)

select * from in_register
