-- Which raw files the last build used, and which were superseded or not recognised, with rows.
with

raw_files as (
    select * from {{ ref('dim_raw_files') }}
),

inventory as (
    select * from {{ ref('stg_cbs__raw_files') }}
),

listed as (
    select
        raw_files.dataset,
        raw_files.file_name,
        raw_files.file_year,
        raw_files.file_version,
        raw_files.status,
        inventory.n_rows
    from raw_files
    inner join inventory
        on
            raw_files.dataset = inventory.dataset
            and raw_files.file_name = inventory.file_name
)

select * from listed
