with

source as (
    select * from {{ raw_extract('cbs', 'wsw_2015_2021') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        -- attributes
        {{ parse_integer('wswjaar') }} as renewal_year,
        {{ clean_text('wswhandicapcode') }} as handicap_code,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version
    from source
)

select * from renamed
