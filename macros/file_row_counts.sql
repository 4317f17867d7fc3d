{#-
    One row per loaded file of a staged dataset read per file year (one file per file_year): its
    rows and its duplicate rows (identical in every column to an earlier row of the file). For an
    incremental model built on it: on an incremental run only the files that are not yet counted
    (a new year, or a year whose file changed) are read, so a refresh counts one year, not all
    (macro where_file_pending: the other years' files are not even scanned).
-#}
{% macro file_row_counts(staged_relation, source_name, table_name) -%}
with

staged_rows as {{ cte_not_materialized() }} (
    select *
    from {{ staged_relation }} as staged
    {{ where_file_pending('staged', source_name, table_name) }}
),

{#-
    Duplicates are found through a 64-bit hash of the whole row (an integer group-by on the file
    year and the hash instead of one over every text column of tens of millions of rows); only
    rows whose hash occurs more than once in their file, true copies or hash collisions, are
    then grouped on their columns, so the count is exact. The staged and hashed rows are read
    where they are needed, never kept (`not materialized`), and the per-file rows are counted
    apart, so that no step holds a row per police row with its text columns: at national size
    that took 4 GB and failed under a 1 GB memory limit.
-#}
hashed_rows as {{ cte_not_materialized() }} (
    select
        staged_rows.*,
        {{ row_hash("staged_rows") }} as row_hash
    from staged_rows
),

files as (
    select
        file_year,
        source_file,
        file_version,
        file_signature,
        count(*) as n_rows
    from staged_rows
    group by file_year, source_file, file_version, file_signature
),

shared_hashes as (
    select
        file_year,
        row_hash
    from hashed_rows
    group by file_year, row_hash
    having count(*) > 1
),

shared_rows as (
    select hashed_rows.*
    from hashed_rows
    semi join shared_hashes
        on
            hashed_rows.file_year is not distinct from shared_hashes.file_year
            and hashed_rows.row_hash = shared_hashes.row_hash
),

copies as (
    select
        *,
        count(*) as n_copies
    from shared_rows
    group by all
),

duplicates as (
    select
        file_year,
        sum(n_copies - 1) as n_duplicate_rows
    from copies
    group by file_year
),

per_file as (
    select
        files.file_year,
        files.source_file,
        files.file_version,
        files.file_signature,
        files.n_rows,
        coalesce(duplicates.n_duplicate_rows, 0) as n_duplicate_rows
    from files
    left join duplicates
        on files.file_year is not distinct from duplicates.file_year
),

final as (
    select
        cast(file_year as integer) as file_year,
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(file_version as integer) as file_version,
        cast(file_signature as {{ dbt.type_string() }}) as file_signature,
        cast(n_rows as bigint) as n_rows,
        cast(n_duplicate_rows as bigint) as n_duplicate_rows
    from per_file
)

select * from final
{%- endmacro %}
