-- The dbt version and the vars given on the command line of the build that made the warehouse.
with

settings as (
    select
        '{{ dbt_version }}' as dbt_version,
        '{{ tojson(invocation_args_dict.get("vars", {})) | replace("'", "''") }}' as cli_vars
)

select * from settings
