{#- Figure A1: LVB indications per study group and offender profile, disclosure-controlled. -#}
with

study_persons as (
    select * from {{ ref('fct_study_persons') }}
),

grouped as (
    {{ reporting_groups('study_persons') }}
),

counts as (
    select
        group_type,
        group_name,
        count(*) as n_persons,
        count(*) filter (where has_lvb) as n_lvb,
        count(*) filter (where lvb_ao) as n_lvb_ao,
        count(*) filter (where lvb_ciz) as n_lvb_ciz,
        count(*) filter (where lvb_wsw) as n_lvb_wsw
    from grouped
    group by group_type, group_name
),

reference as (
    select
        n_persons as ref_n_persons,
        n_lvb as ref_n_lvb
    from counts
    where group_type = 'study_group' and group_name = 'noncriminal_control'
),

controlled as (
    select
        counts.group_type,
        counts.group_name,
        {{ dc_count('counts.n_persons') }} as n_persons,
        {{ dc_count('counts.n_lvb') }} as n_lvb,
        {{ dc_count('counts.n_lvb_ao') }} as n_lvb_ao,
        {{ dc_count('counts.n_lvb_ciz') }} as n_lvb_ciz,
        {{ dc_count('counts.n_lvb_wsw') }} as n_lvb_wsw,
        {{ dc_ratio('counts.n_lvb', 'counts.n_persons', 100) }} as lvb_pct,
        case
            when reference.ref_n_lvb > 0 and reference.ref_n_persons >= {{ var('dc_min_cell') }}
                then
                    {{ dc_ratio('counts.n_lvb', 'counts.n_persons') }}
                    / (reference.ref_n_lvb::double / reference.ref_n_persons)
        end as lvb_ratio_vs_noncriminal
    from counts
    left join reference on true
)

select * from controlled
