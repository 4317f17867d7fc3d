-- One row per raw file the build found: which extracts and versions fed the warehouse.
with

raw_files as (
    select * from {{ ref('stg_cbs__raw_files') }}
),

listed as (
    select
        -- keys
        dataset,
        file_name,
        -- attributes
        file_format,
        file_year,
        file_version,
        status
    from raw_files
)

select * from listed
