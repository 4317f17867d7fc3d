with

source as (
    select * from {{ source('cbs', 'sloaang') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        voorvalnummer as incident_id,
        -- attributes
        upper({{ clean_text('rol') }}) as role,
        upper({{ clean_text('feitcode') }}) as offence_code,
        {{ parse_yyyymmdd('pleegdatum') }} as offence_date,
        {{ parse_yyyymmdd('registratiedatum') }} as registration_date,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version
    from source
)

select * from renamed
