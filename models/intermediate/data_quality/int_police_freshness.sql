{#-
    The freshness of the police registrations, in one row: the newest police year expected, the
    newest police file year and the years missing in between. The rule and its wording live here
    only: dq_findings reports the finding and `blsu refresh` warns when years are missing.
-#}
with

raw_files as (
    select * from {{ ref('stg_cbs__raw_files') }}
),

expected_police_year as (
    {#-
        The newest police year expected: var police_expected_latest_year, else the year of the
        reference date minus var police_delay_years. The reference date is var reference_date,
        else the end of the newest file year of the inputs (not the clock), so the same inputs
        always give the same finding.
    -#}
    select
        {% if var('police_expected_latest_year', none) is not none -%}
        {{ var('police_expected_latest_year') }}
        {%- else -%}
        extract(year from {{ reference_date('raw_files') }}) - {{ var('police_delay_years') }}
        {%- endif %} as police_year
),

newest_police_file as (
    select max(file_year) as file_year
    from raw_files
    where dataset = 'SLOAANG' and status = 'used'
),

final as (
    select
        cast(expected_police_year.police_year as integer) as expected_latest_year,
        cast(newest_police_file.file_year as integer) as newest_file_year,
        cast(greatest(
            expected_police_year.police_year - coalesce(newest_police_file.file_year, 0), 0
        ) as bigint) as n_missing_years,
        'years missing after the newest police file (expected up to '
        || expected_police_year.police_year || ')' as finding
    from expected_police_year
    cross join newest_police_file
)

select * from final
