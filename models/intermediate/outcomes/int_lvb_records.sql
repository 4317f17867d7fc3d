{#-
    Every LVB record with a qualifying code of the lvb_codes seed, whether or not it falls in
    that code's window. A record is dated by the raw column the seed names (window_column): a
    year column (AOJAAR, WSWJAAR) stands for the whole year, a date column (CIZBESLUITDATUM) for
    its day, and the record is inside the window (inclusive) when that period meets it. The one
    home of the LVB window rule: int_lvb_indicators reads the records inside, dq_findings counts
    those outside.
-#}
with

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

records as (
    {#- each source's code and dated columns under the raw names lvb_codes refers to -#}
    select
        'AO' as source,
        rinpersoons,
        rinpersoon,
        diagnosis_code as code,
        'AOJAAR' as window_column,
        {{ year_start('benefit_year') }} as period_start,
        {{ year_end('benefit_year') }} as period_end
    from benefits
    union all
    select
        'CIZ',
        rinpersoons,
        rinpersoon,
        care_package_code,
        'CIZBESLUITDATUM',
        decision_date as period_start,
        decision_date as period_end
    from care
    union all
    select
        'WSW',
        rinpersoons,
        rinpersoon,
        handicap_code,
        'WSWJAAR',
        {{ year_start('renewal_year') }},
        {{ year_end('renewal_year') }}
    from sheltered
),

qualifying as (
    select
        records.source,
        records.rinpersoons,
        records.rinpersoon,
        records.code,
        records.period_start,
        records.period_end,
        coalesce(
            records.period_start <= lvb_codes.window_end
            and records.period_end >= lvb_codes.window_start,
            false
        ) as is_in_window
    from records
    inner join lvb_codes
        on
            records.source = lvb_codes.source
            and records.code = lvb_codes.code
            and records.window_column = upper(lvb_codes.window_column)
)

select * from qualifying
