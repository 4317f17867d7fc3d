with

source as (
    select * from {{ raw_extract('cbs', 'gbaoverlijdentab') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        -- attributes
        {{ parse_yyyymmdd('gbadatumoverlijden') }} as death_date,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version
    from source
)

select * from renamed
