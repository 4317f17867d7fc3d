with

source as (
    select * from {{ raw_extract('cbs', 'ao_2015_2021') }}
),

renamed as (
    select
        -- keys
        rinpersoons as rinpersoons,
        rinpersoon as rinpersoon,
        -- attributes
        {{ parse_integer('aojaar') }} as benefit_year,
        upper({{ clean_text('aoregeling') }}) as benefit_scheme,
        upper({{ clean_text('aodiagnosecode') }}) as diagnosis_code,
        -- lineage
        source_file as source_file,
        file_year as file_year,
        file_version as file_version
    from source
)

select * from renamed
