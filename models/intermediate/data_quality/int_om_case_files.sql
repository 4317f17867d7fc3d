{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='file_year',
        on_schema_change='fail'
    )
}}

{{ file_row_counts(ref('stg_cbs__om_cases')) }}
