{{ config(**incremental_by_file_year()) }}

{#- Loaded per file year: only the new and changed years are read (macro raw_extract). -#}
with

source as (
    select * from {{ raw_extract('cbs', 'sloaang') }}
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
        file_version as file_version,
        file_signature as file_signature
    from source
)

select * from renamed
