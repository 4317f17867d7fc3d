{{ config(**incremental_by_file_year()) }}

{#- Loaded per file year: only the new and changed years are read (macro raw_extract). -#}
with

source as (
    select * from {{ raw_extract('cbs', 'omzaken') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        omzaaknummer as case_id,
        -- attributes
        {{ parse_yyyymmdd('ominschrijvingsdatum') }} as registration_date,
        {{ parse_yyyymmdd('ompleegdatum') }} as offence_date,
        upper({{ clean_text('feitcode') }}) as offence_code,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version,
        file_signature as file_signature
    from source
)

select * from renamed
