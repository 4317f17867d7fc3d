{#-
    A view over the ingested files (macro raw_extract): the register-wide police rows are never
    copied into the warehouse. int_victimisations reads only the study persons' rows, and
    int_police_registration_files counts rows and copies per file, incrementally.
-#}
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
