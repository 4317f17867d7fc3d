{#-
    The Spark target's trajectory estimates (docs/engines.md): dbt-spark runs no Python models
    outside Databricks, so the step `blsu.spark_trajectories` (run by `blsu build --target
    spark`, or on its own as `blsu spark-trajectories`) fits the model with gbtm.warehouse, as
    the Python models do on DuckDB, and writes one Parquet file per model into the folder of
    config trajectory_estimates, and `fitted_on.parquet`: the settings (groups|starts|seed|
    reported_groups, as dbt rendered the configs of int_trajectory_fits and
    int_trajectory_assignments) and the Parquet files of int_offender_age_counts it was fitted
    on. Returns the relation of `model_name`'s file, after checking that the estimates exist and
    were made with these settings on int_offender_age_counts as it is built now: a plain
    `dbt build --target spark` (which rebuilds that table) fails here, never reads stale rows.
-#}
{% macro trajectory_estimate(model_name) -%}
    {%- set folder = config.get('trajectory_estimates') -%}
    {%- set relation = 'parquet.`' ~ folder ~ '/' ~ model_name ~ '.parquet`' -%}
    {%- set age_counts = ref('int_offender_age_counts') -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set run_step = ' Run the estimator step: `blsu build --target spark` (all of it), or'
        ~ ' after `dbt build --target spark --select +int_offender_age_counts` run'
        ~ ' `blsu spark-trajectories` (with the same --vars), then `dbt build --target spark'
        ~ ' --exclude +int_offender_age_counts` (both with --indirect-selection cautious;'
        ~ ' docs/engines.md).' -%}
    {%- set stamp = try_or_compiler_error(
        'the trajectory model is not estimated for this Spark warehouse: no estimates at '
        ~ folder ~ '.' ~ run_step,
        run_query,
        'select settings, input_files from parquet.`' ~ folder ~ '/fitted_on.parquet`'
    ) -%}
    {%- set ns = namespace(fits={}, assignments={}) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name == 'int_trajectory_fits' -%}
            {%- set ns.fits = node.config -%}
        {%- elif node.resource_type == 'model' and node.name == 'int_trajectory_assignments' -%}
            {%- set ns.assignments = node.config -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set values = [ns.fits.get('groups'), ns.fits.get('starts'), ns.fits.get('seed'),
        ns.assignments.get('reported_groups')] -%}
    {%- set texts = [] -%}
    {%- for value in values -%}
        {%- do texts.append('' if value is none else value | string) -%}
    {%- endfor -%}
    {%- set settings = texts | join('|') -%}
    {%- set files = run_query(
        "select concat_ws(',', sort_array(collect_set(_metadata.file_name))) from "
        ~ age_counts
    ).rows[0][0] -%}
    {%- if stamp.rows | length != 1 or stamp.rows[0][0] != settings -%}
        {{ exceptions.raise_compiler_error(
            'the trajectory estimates at ' ~ folder ~ ' were made with other settings ('
            ~ (stamp.rows[0][0] if stamp.rows else 'none') ~ ', now ' ~ settings
            ~ '; groups|starts|seed|reported_groups).' ~ run_step
        ) }}
    {%- elif stamp.rows[0][1] != files -%}
        {{ exceptions.raise_compiler_error(
            'the trajectory estimates at ' ~ folder ~ ' were fitted on another build of'
            ~ ' int_offender_age_counts than the one in the Spark warehouse now.' ~ run_step
        ) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
