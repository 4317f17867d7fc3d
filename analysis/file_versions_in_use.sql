-- Which raw files the last build used, and which were superseded or not recognised.
with

raw_files as (
    select * from {{ ref('stg_cbs__raw_files') }}
),

listed as (
    select
        dataset,
        file_name,
        file_year,
        file_version,
        status,
        n_rows
    from raw_files
)

select * from listed
