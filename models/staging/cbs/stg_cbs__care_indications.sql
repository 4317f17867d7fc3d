with

source as (
    select * from {{ raw_extract('cbs', 'ciz_2017_2021') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        -- attributes
        {{ parse_yyyymmdd('cizbesluitdatum') }} as decision_date,
        {{ clean_text('cizzzp') }} as care_package_code,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version
    from source
)

select * from renamed
