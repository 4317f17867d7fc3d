with

source as (
    select * from {{ raw_extract('cbs', 'raw_file_inventory') }}
),

renamed as (
    select
        -- keys
        dataset as dataset,
        file_name as file_name,
        -- attributes
        file_format as file_format,
        file_year as file_year,
        file_version as file_version,
        status as status,
        n_rows as n_rows,
        size_bytes as size_bytes,
        modified_at as modified_at,
        file_signature as file_signature
    from source
)

select * from renamed
