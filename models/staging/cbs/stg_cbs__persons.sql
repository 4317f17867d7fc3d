with

source as (
    select * from {{ raw_extract('cbs', 'gbapersoontab') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        -- attributes
        {{ clean_text('gbageslacht', ['-']) }} as sex,
        {{ parse_integer('gbageboortejaar') }} as birth_year,
        {{ parse_integer('gbageboortemaand') }} as birth_month,
        {{ clean_text('gbageneratie', ['-']) }} as migration_generation,
        {{ clean_text('gbaherkomstgroepering', ['-']) }} as origin_group_code,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version
    from source
)

select * from renamed
