-- Every source var lvb_sources names is a source of the seed lvb_sources (a misspelt source
-- would otherwise count no one).
{%- set sources = var('lvb_sources') %}
with

known as (
    select * from {{ ref('lvb_sources') }}
),

chosen as (
    {%- if sources is none or sources is string or sources is not iterable %}
    select source
    from known
    {%- else %}
    {%- for source in sources %}
    select '{{ source }}' as source
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
    {%- endif %}
),

unknown as (
    select chosen.source
    from chosen
    left join known
        on chosen.source = known.source
    where known.source is null
)

select * from unknown
