-- LVB share per study group, by source (person level: stays inside the warehouse).
with

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

shares as (
    select
        study_group,
        count(*) as n_persons,
        avg(has_lvb::integer) as lvb_share,
        avg(lvb_ao::integer) as ao_share,
        avg(lvb_ciz::integer) as ciz_share,
        avg(lvb_wsw::integer) as wsw_share
    from study_persons
    group by study_group
)

select * from shares
