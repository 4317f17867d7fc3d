{#-
    The OM cases of each linked sample member inside the OM window, with the member's age at the
    case (assumed birth date, macro assumed_birth_date) and whether the case comes before the
    first human-trafficking offence. Read by the profile estimate and the offender careers.
-#}
with

members as (
    select * from {{ ref('int_sample_members') }}
),

om_cases as (
    select * from {{ ref('int_om_cases') }}
),

members_born as (
    select
        rinpersoons,
        rinpersoon,
        first_ht_date,
        {{ assumed_birth_date('birth_year', 'birth_month') }} as birth_date
    from members
),

member_cases as (
    select
        members_born.rinpersoons,
        members_born.rinpersoon,
        om_cases.case_id,
        om_cases.case_date,
        {{ age_in_years('members_born.birth_date', 'om_cases.case_date') }} as age_at_case,
        om_cases.case_date < members_born.first_ht_date as is_before_first_ht
    from members_born
    inner join om_cases
        on
            members_born.rinpersoons = om_cases.rinpersoons
            and members_born.rinpersoon = om_cases.rinpersoon
    where om_cases.is_in_om_window
)

select * from member_cases
