-- No sample member (any BLSU_STEEKPROEF row) is a control or a control candidate.
with

sample as (
    select * from {{ ref('stg_cbs__study_sample') }}
),

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

candidates as (
    select * from {{ ref('int_control_candidates') }}
),

controls_in_sample as (
    select study_persons.rinpersoon
    from study_persons
    inner join sample
        on
            study_persons.rinpersoons = sample.rinpersoons
            and study_persons.rinpersoon = sample.rinpersoon
    where study_persons.study_group <> 'blsu'
),

candidates_in_sample as (
    select candidates.rinpersoon
    from candidates
    inner join sample
        on
            candidates.rinpersoons = sample.rinpersoons
            and candidates.rinpersoon = sample.rinpersoon
),

violations as (
    select * from controls_in_sample
    union all
    select * from candidates_in_sample
)

select * from violations
