{#- One row per data-quality finding; every finding is listed, also when its count is zero. -#}
{%- set staged = [
    ('GBAPERSOONTAB', 'stg_cbs__persons'),
    ('GBAOVERLIJDENTAB', 'stg_cbs__deaths'),
    ('OMZAKEN', 'stg_cbs__om_cases'),
    ('BLSU_STEEKPROEF', 'stg_cbs__study_sample'),
    ('AO_2015_2021', 'stg_cbs__disability_benefits'),
    ('CIZ_2017_2021', 'stg_cbs__care_indications'),
    ('WSW_2015_2021', 'stg_cbs__sheltered_work'),
] -%}
{%- set coded = [
    ('OMZAKEN', 'stg_cbs__om_cases'),
] -%}
{#-
    findings of every staged dataset; SLOAANG's counted in int_police_registration_counts and
    the register's in int_register_person_counts, so that a refresh of one dataset does not
    read the others' rows again
-#}
{%- set counted_apart = ['stg_cbs__persons'] -%}
{%- set not_linkable = 'records not linkable (RINPERSOONS is not R)' -%}
{%- set unknown_code = 'records with an unknown feitcode (counted, no category)' -%}
{%- set without_code = 'records without a feitcode' -%}
{%- set file_counts = [
    ('OMZAKEN', 'int_om_case_files'),
    ('SLOAANG', 'int_police_registration_files'),
] -%}
with

raw_files as (
    select * from {{ ref('stg_cbs__raw_files') }}
),

{#-
    The staged datasets are read by several findings each. `not materialized`
    keeps DuckDB from copying them (tens of millions of rows at national size) into a
    temporary result: each finding scans only the columns it needs.
-#}
{% for dataset, model in staged if model not in counted_apart -%}
{{ model }} as {{ cte_not_materialized() }} (
    select * from {{ ref(model) }}
),

{% endfor -%}
{% for dataset, model in file_counts -%}
{{ model }} as (
    select * from {{ ref(model) }}
),

{% endfor -%}
feitcodes as (
    select * from {{ ref('feitcodes') }}
),

lvb_records as (
    select * from {{ ref('int_lvb_records') }}
),

lvb_sources as (
    select * from {{ ref('lvb_sources') }}
),

profiles as (
    select * from {{ ref('profiles') }}
),

register_counts as (
    select * from {{ ref('int_register_person_counts') }}
),

police_freshness as (
    select * from {{ ref('int_police_freshness') }}
),

police_counts as (
    select * from {{ ref('int_police_registration_counts') }}
),

sample_members as (
    select * from {{ ref('int_sample_members') }}
),

cohort as (
    select * from {{ ref('int_study_cohort') }}
),

matched as (
    select * from {{ ref('int_matched_controls') }}
),

datasets as (
    select dataset_names.dataset
    from (
        values
        {%- for dataset, model in staged %}
        ('{{ dataset }}'),
        {%- endfor %}
        ('SLOAANG')
    ) as dataset_names (dataset)
),

file_findings as (
    select
        datasets.dataset,
        findings.finding,
        coalesce(sum(
            case
                when findings.kind = 'files' and raw_files.status = findings.status then 1
                when findings.kind = 'rows' and raw_files.status = findings.status
                    then raw_files.n_rows
                else 0
            end
        ), 0) as n_records
    from datasets
    cross join (
        values
        ('files', 'superseded', 'file versions superseded by a newer one (files)'),
        ('rows', 'superseded', 'records in superseded file versions (not used)'),
        ('files', 'unrecognised', 'files whose name does not follow the dataset pattern (not used)')
    ) as findings (kind, status, finding)
    left join raw_files
        on datasets.dataset = raw_files.dataset
    group by datasets.dataset, findings.finding
),

unlinkable as (
    select
        'GBAPERSOONTAB' as dataset,
        '{{ not_linkable }}' as finding,
        n_unlinkable_rows as n_records
    from register_counts
    union all
    {% for dataset, model in staged if model not in counted_apart -%}
    select
        '{{ dataset }}' as dataset,
        '{{ not_linkable }}' as finding,
        count(*) filter (where coalesce(rinpersoons, '') <> 'R') as n_records
    from {{ model }}
    union all
    {% endfor -%}
    select
        'SLOAANG',
        '{{ not_linkable }}',
        n_unlinkable
    from police_counts
),

duplicate_persons as (
    {#- linked rows minus distinct linked keys (int_register_person_counts) -#}
    select
        'GBAPERSOONTAB' as dataset,
        'duplicate person keys (extra rows ignored)' as finding,
        n_linked_rows - n_linked_persons as n_records
    from register_counts
),

unknown_values as (
    select
        'GBAPERSOONTAB' as dataset,
        'linked persons with unknown sex or birth year (not eligible as control)' as finding,
        n_unknown_sex_or_birth_year as n_records
    from register_counts
    union all
    select
        'GBAOVERLIJDENTAB',
        'unknown or unparseable GBADATUMOVERLIJDEN',
        count(*) filter (where death_date is null)
    from stg_cbs__deaths
    union all
    select
        'OMZAKEN',
        'unknown or unparseable OMINSCHRIJVINGSDATUM',
        count(*) filter (where registration_date is null)
    from stg_cbs__om_cases
    union all
    select
        'OMZAKEN',
        'linked records registered outside the OM window',
        count(*) filter (
            where rinpersoons = 'R'
            and registration_date not between date '{{ var("om_window_start") }}'
            and date '{{ var("om_window_end") }}'
        )
    from stg_cbs__om_cases
    union all
    select
        'SLOAANG',
        'unknown or unparseable REGISTRATIEDATUM',
        n_unknown_registration_date
    from police_counts
    union all
    select
        'SLOAANG',
        'unknown or unparseable PLEEGDATUM (REGISTRATIEDATUM used)',
        n_unknown_offence_date
    from police_counts
    union all
    select
        'SLOAANG',
        'linked records registered outside the victimisation window',
        n_outside_window
    from police_counts
    union all
    select
        'SLOAANG',
        'records with a role other than A or S (not counted)',
        n_other_role
    from police_counts
    union all
    select
        'CIZ_2017_2021',
        'unknown or unparseable CIZBESLUITDATUM',
        count(*) filter (where decision_date is null)
    from stg_cbs__care_indications
),

unknown_offence_codes as (
    {% for dataset, model in coded -%}
    select
        '{{ dataset }}' as dataset,
        '{{ unknown_code }}' as finding,
        count(*) filter (
            where {{ model }}.offence_code is not null and feitcodes.feitcode is null
        ) as n_records
    from {{ model }}
    left join feitcodes
        on {{ model }}.offence_code = feitcodes.feitcode
    union all
    select
        '{{ dataset }}',
        '{{ without_code }}',
        count(*) filter (where offence_code is null)
    from {{ model }}
    union all
    {% endfor -%}
    select
        'SLOAANG',
        '{{ unknown_code }}',
        n_unknown_offence_code
    from police_counts
    union all
    select
        'SLOAANG',
        '{{ without_code }}',
        n_without_offence_code
    from police_counts
),

lvb_outside_window as (
    select
        lvb_sources.dataset,
        'records with a qualifying code outside the observation window' as finding,
        count(lvb_records.source) filter (where not lvb_records.is_in_window) as n_records
    from lvb_sources
    left join lvb_records
        on lvb_sources.source = lvb_records.source
    group by lvb_sources.dataset
),

sample_findings as (
    select
        'BLSU_STEEKPROEF' as dataset,
        'sample members not in the register' as finding,
        {#- int_sample_members holds one row per linked sample member found in the register -#}
        count(distinct rinpersoon) - (select count(*) from sample_members) as n_records
    from stg_cbs__study_sample
    where rinpersoons = 'R'
    union all
    select
        'BLSU_STEEKPROEF',
        'duplicate sample rows of one person (first human-trafficking date kept)',
        count(*) - count(distinct rinpersoons || '|' || rinpersoon)
    from stg_cbs__study_sample
    where rinpersoons = 'R'
    union all
    select
        'BLSU_STEEKPROEF',
        'sample members without a human-trafficking case in the OM data',
        count(*) filter (where not has_ht_case_in_om)
    from sample_members
    union all
    select
        'BLSU_STEEKPROEF',
        'sample members with unknown or unparseable PLEEGDATUM_EERSTE_MH',
        count(*) filter (where first_ht_date is null)
    from sample_members
    union all
    select
        'BLSU_STEEKPROEF',
        'sample members whose profile was estimated from the OM case history',
        count(*) filter (where profile_source = 'estimated')
    from cohort
    union all
    select
        'BLSU_STEEKPROEF',
        'sample members without a profile (none stated, birth year unknown: no age to estimate it)',
        count(*) filter (where profile is null)
    from cohort
    union all
    select
        'BLSU_STEEKPROEF',
        'sample rows with a DADERPROFIEL outside the four profiles (estimated instead)',
        count(*) filter (
            where stated_profile is not null
            and stated_profile not in (select profiles.profile from profiles)
        )
    from stg_cbs__study_sample
),

duplicate_rows as (
    {% for dataset, model in file_counts -%}
    select
        '{{ dataset }}' as dataset,
        'duplicate rows within a file (identical in every column; counted once)' as finding,
        coalesce(sum(n_duplicate_rows), 0) as n_records
    from {{ model }}
    {% if not loop.last %}union all
    {% endif %}{%- endfor %}
),

raw_folder_findings as (
    select
        '(raw folder)' as dataset,
        'files in folders that are no dataset of the contract (not used)' as finding,
        count(*) filter (where status = 'unknown_folder') as n_records
    from raw_files
),

freshness as (
    select
        'SLOAANG' as dataset,
        police_freshness.finding,
        police_freshness.n_missing_years as n_records
    from police_freshness
),

matching_findings as (
    select
        'matching' as dataset,
        'offenders left unmatched: ' || pools.study_group as finding,
        count(*) filter (where matched.matched_rinpersoon is null) as n_records
    from cohort
    cross join (
        values ('criminal_control'), ('noncriminal_control')
    ) as pools (study_group)
    left join matched
        on
            pools.study_group = matched.study_group
            and cohort.rinpersoons = matched.matched_rinpersoons
            and cohort.rinpersoon = matched.matched_rinpersoon
    group by pools.study_group
),

all_findings as (
    select * from file_findings
    union all
    select * from unlinkable
    union all
    select * from duplicate_persons
    union all
    select * from unknown_values
    union all
    select * from unknown_offence_codes
    union all
    select * from lvb_outside_window
    union all
    select * from sample_findings
    union all
    select * from matching_findings
    union all
    select * from duplicate_rows
    union all
    select * from raw_folder_findings
    union all
    select * from freshness
),

final as (
    select
        cast(dataset as {{ dbt.type_string() }}) as dataset,
        cast(finding as {{ dbt.type_string() }}) as finding,
        cast(n_records as bigint) as n_records
    from all_findings
)

select * from final
