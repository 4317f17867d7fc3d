{#-
    One row per loaded file of an incremental staging model (one file per file_year): its rows
    and its duplicate rows (identical in every column to an earlier row of the file). For an
    incremental model built on it: on an incremental run only the files that are not yet counted
    (a new year, or a year whose file changed) are read, so a refresh counts one year, not all.
-#}
{% macro file_row_counts(staged_relation) -%}
with

staged_rows as (
    select *
    from {{ staged_relation }} as staged
    {% if is_incremental() -%}
    where not exists (
        select 1
        from {{ this }} as counted
        where
            counted.file_year = staged.file_year
            and counted.file_signature = staged.file_signature
    )
    {%- endif %}
),

distinct_rows as (
    select
        *,
        count(*) as n_copies
    from staged_rows
    group by all
),

per_file as (
    select
        file_year,
        source_file,
        file_version,
        file_signature,
        sum(n_copies) as n_rows,
        sum(n_copies - 1) as n_duplicate_rows
    from distinct_rows
    group by file_year, source_file, file_version, file_signature
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
