{{ config(**incremental_by_file_year()) }}

{{ file_row_counts(ref('stg_cbs__om_cases'), 'cbs', 'omzaken') }}
