{#-
    LVB indication per study person and source: a record with a qualifying code of the lvb_codes
    seed inside that code's window (inclusive). Year columns (AOJAAR, WSWJAAR) are compared by
    the years of the window bounds, CIZBESLUITDATUM by the dates.
-#}
with

population as (
    select * from {{ ref('int_study_population') }}
),

lvb_codes as (
    select * from {{ ref('lvb_codes') }}
),

benefits as (
    select * from {{ ref('stg_cbs__disability_benefits') }}
),

care as (
    select * from {{ ref('stg_cbs__care_indications') }}
),

sheltered as (
    select * from {{ ref('stg_cbs__sheltered_work') }}
),

study_keys as (
    select distinct
        rinpersoons,
        rinpersoon
    from population
),

ao_persons as (
    select distinct
        benefits.rinpersoons,
        benefits.rinpersoon
    from benefits
    inner join lvb_codes
        on
            lvb_codes.source = 'AO'
            and benefits.diagnosis_code = lvb_codes.code
            and benefits.benefit_year
            between extract(year from lvb_codes.window_start)
            and extract(year from lvb_codes.window_end)
),

ciz_persons as (
    select distinct
        care.rinpersoons,
        care.rinpersoon
    from care
    inner join lvb_codes
        on
            lvb_codes.source = 'CIZ'
            and care.care_package_code = lvb_codes.code
            and care.decision_date between lvb_codes.window_start and lvb_codes.window_end
),

wsw_persons as (
    select distinct
        sheltered.rinpersoons,
        sheltered.rinpersoon
    from sheltered
    inner join lvb_codes
        on
            lvb_codes.source = 'WSW'
            and sheltered.handicap_code = lvb_codes.code
            and sheltered.renewal_year
            between extract(year from lvb_codes.window_start)
            and extract(year from lvb_codes.window_end)
),

indicators as (
    select
        study_keys.rinpersoons,
        study_keys.rinpersoon,
        ao_persons.rinpersoon is not null as lvb_ao,
        ciz_persons.rinpersoon is not null as lvb_ciz,
        wsw_persons.rinpersoon is not null as lvb_wsw
    from study_keys
    left join ao_persons
        on
            study_keys.rinpersoons = ao_persons.rinpersoons
            and study_keys.rinpersoon = ao_persons.rinpersoon
    left join ciz_persons
        on
            study_keys.rinpersoons = ciz_persons.rinpersoons
            and study_keys.rinpersoon = ciz_persons.rinpersoon
    left join wsw_persons
        on
            study_keys.rinpersoons = wsw_persons.rinpersoons
            and study_keys.rinpersoon = wsw_persons.rinpersoon
),

combined as (
    select
        *,
        lvb_ao or lvb_ciz or lvb_wsw as has_lvb
    from indicators
)

select * from combined
