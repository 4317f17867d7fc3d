{{ config(**incremental_by_file_year()) }}

{{ file_row_counts(ref('stg_cbs__police_registrations'), 'cbs', 'sloaang') }}
