with

source as (
    select * from {{ raw_extract('cbs', 'blsu_steekproef') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        omzaaknummer as case_id,
        -- attributes
        {{ parse_yyyymmdd('pleegdatum_eerste_mh') }} as first_ht_date,
        lower({{ clean_text('daderprofiel') }}) as stated_profile,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version
    from source
)

select * from renamed
