{#-
    Spark's form of raw_extract (macro raw_extract): the same scan plan, read by Spark itself
    from the Parquet files `blsu_ingest.spark_plan` writes after every ingestion, in the ingest
    folder ($BLSU_INGEST_DIR, default <BLSU_DB>.ingest): `_spark/<DATASET>.parquet`, one row
    per used file with its lineage and SCAN_SQL (a Spark select of the file's canonical
    Parquet), and `_spark/raw_file_inventory.parquet` for the file inventory. An incremental model
    leaves out the files whose year and signature it holds, as on DuckDB.
-#}
{% macro spark__raw_extract(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set dataset = spark_source_dataset(source_name, table_name) -%}
    {%- set plan_file = spark_plan_file(source_name, table_name) -%}
    {#- Spark's own error would be PATH_NOT_FOUND: say which step writes the plans -#}
    {%- do try_or_compiler_error(
        'no scan plan ' ~ plan_file ~ ' for ' ~ source_name ~ '.' ~ table_name
        ~ ': the Spark target reads the scan plans of the last ingestion in the ingest folder'
        ~ ' ($BLSU_INGEST_DIR, default <BLSU_DB>.ingest). Run `blsu ingest` first (with the'
        ~ ' same BLSU_RAW_DIR, BLSU_DB and BLSU_INGEST_DIR), or build with'
        ~ ' `blsu build --target spark`, which ingests (docs/engines.md)',
        run_query, 'select 1 from parquet.`' ~ plan_file ~ '` limit 0'
    ) -%}
    {%- if dataset == '_INVENTORY' -%}
        {{ return('(select * from parquet.`' ~ plan_file ~ '`)') }}
    {%- endif -%}
    {%- set plan = run_query(
        'select scan_sql, file_year, file_signature, source_file from parquet.`' ~ plan_file
        ~ '` order by file_year nulls first, source_file'
    ) -%}
    {%- set held = {} -%}
    {%- if is_incremental() -%}
        {%- for row in run_query(
            'select distinct file_year, file_signature, source_file from ' ~ this
        ).rows -%}
            {%- do held.update({row[0] ~ '|' ~ row[1]: row[2]}) -%}
        {%- endfor -%}
        {%- set planned_years = plan.rows | map(attribute=1) | list -%}
        {%- set gone = [] -%}
        {%- for key, file in held.items() -%}
            {%- if (key.split('|')[0] | int) not in planned_years -%}
                {%- do gone.append(key.split('|')[0] ~ ' (' ~ file ~ ')') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if gone | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                'year(s) ' ~ (gone | sort | join(', ')) ~ ' of ' ~ table_name
                ~ ' are in the warehouse but their file is gone from the raw folder; a load'
                ~ ' never removes a year. Put the file back, or rebuild from scratch with'
                ~ ' `dbt build --full-refresh` if the year is meant to go'
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- set selects = [] -%}
    {%- for row in plan.rows -%}
        {%- if (row[1] ~ '|' ~ row[2]) not in held -%}
            {%- do selects.append(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if selects | length == 0 -%}
        {%- do selects.append(plan.rows[0][0] ~ ' limit 0') -%}
    {%- endif -%}
    (
    {{ selects | join('\n    union all\n    ') }}
    )
{%- endmacro %}

{#- The Parquet file of a source's scan plan (or of the file inventory) in the ingest folder. -#}
{% macro spark_plan_file(source_name, table_name) -%}
    {%- set dataset = spark_source_dataset(source_name, table_name) -%}
    {%- set folder = env_var('BLSU_INGEST_DIR', env_var('BLSU_DB', 'data/blsu.duckdb') ~ '.ingest')
        ~ '/_spark/' -%}
    {{ return(folder ~ ('raw_file_inventory' if dataset == '_INVENTORY' else dataset)
        ~ '.parquet') }}
{%- endmacro %}

{#- The scan plan of a source as a relation Spark reads (macro raw_extract_plan). -#}
{% macro spark__raw_extract_plan(source_name, table_name) -%}
    {%- do source(source_name, table_name) -%}
    {{ return('parquet.`' ~ spark_plan_file(source_name, table_name) ~ '`') }}
{%- endmacro %}

{#- The dataset of a source table (its `dataset` config), in upper case. -#}
{% macro spark_source_dataset(source_name, table_name) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {{ return((node.config.get('dataset') or table_name) | upper) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(table_name | upper) }}
{%- endmacro %}
