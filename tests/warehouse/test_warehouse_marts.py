"""End-to-end: the hand-made raw folder built with dbt, exact values in the marts.

Expected values are worked out by hand from raw_fixture.py (see its docstring).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from raw_fixture import C1, C2, C3, C4, C8, O1, O2, O5

pytestmark = pytest.mark.slow


def person(con: duckdb.DuckDBPyConnection, rin: str) -> dict[str, object]:
    cursor = con.execute("select * from marts.fct_study_persons where rinpersoon = ?", [rin])
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None, f"{rin} not in fct_study_persons"
    return dict(zip(names, row, strict=True))


def finding(con: duckdb.DuckDBPyConnection, dataset: str, text: str) -> int:
    row = con.execute(
        "select n_records from marts.dq_findings where dataset = ? and finding like ?",
        [dataset, f"%{text}%"],
    ).fetchone()
    assert row is not None, f"no finding '{text}' for {dataset}"
    return int(row[0])


def test_study_persons_are_linked_offenders_and_their_matched_controls(warehouse):
    rows = warehouse.execute(
        "select study_group, list(rinpersoon order by rinpersoon) "
        "from marts.fct_study_persons group by study_group order by study_group"
    ).fetchall()
    assert rows[0] == ("blsu", [O1, O2, O5])
    assert rows[1][0] == "criminal_control" and sorted(rows[1][1]) == sorted([C1, C4])
    assert rows[2] == ("noncriminal_control", [C2, C3, C8])


def test_column_names_are_lower_case_as_in_the_interface(warehouse):
    names = [d[0] for d in warehouse.execute("select * from marts.fct_study_persons").description]
    assert names[:5] == [
        "rinpersoons",
        "rinpersoon",
        "study_group",
        "profile",
        "matched_rinpersoon",
    ]
    assert "birth_month" in names and "migration_generation" in names


def test_controls_match_their_offender_on_sex_and_birth_year(warehouse):
    assert person(warehouse, C4)["matched_rinpersoon"] == O2
    assert person(warehouse, C8)["matched_rinpersoon"] == O2
    assert {
        person(warehouse, C2)["matched_rinpersoon"],
        person(warehouse, C3)["matched_rinpersoon"],
    } == {O1, O5}
    assert person(warehouse, C1)["matched_rinpersoon"] in {O1, O5}


def test_empty_daderprofiel_is_estimated_from_the_om_history(warehouse):
    assert person(warehouse, O2)["profile"] == "incidenteel"
    assert person(warehouse, O1)["profile"] == "vroeg_piek"


def test_lvb_uses_the_highest_version_and_inclusive_windows(warehouse):
    # O1: AO O602 in 2015 (V2). O2: CIZ 790 on 2017-01-01; its AO row is only in superseded V1.
    assert (person(warehouse, O1)["lvb_ao"], person(warehouse, O1)["lvb_wsw"]) == (True, False)
    assert (person(warehouse, O2)["lvb_ao"], person(warehouse, O2)["lvb_ciz"]) == (False, True)
    assert person(warehouse, O5)["lvb_ciz"] is True  # 2021-12-31
    assert person(warehouse, C3)["lvb_ao"] is True  # O303 in 2021
    assert person(warehouse, C2)["has_lvb"] is False  # O999 and WSW '021'
    assert person(warehouse, C8)["lvb_wsw"] is True  # WSW 21 in 2015
    assert person(warehouse, C1)["has_lvb"] is False  # AO in 2022


def test_reporter_and_victim_rows_of_one_incident_count_once(warehouse):
    # O1: I1 (A+S, SR:300 + SR:310) and I2 (SR:242); I3 only in superseded V1; I4 in 2009.
    o1 = person(warehouse, O1)
    assert o1["n_victimisations"] == 2
    assert (o1["victim_geweld"], o1["victim_vermogen"], o1["victim_zeden"]) == (True, True, True)
    assert o1["victim_verkeer"] is False


def test_unknown_feitcode_counts_as_a_victimisation_without_category(warehouse):
    o5 = person(warehouse, O5)
    assert o5["n_victimisations"] == 1 and o5["is_victim"] is True
    categories = [k for k in o5 if k.startswith("victim_") and o5[k]]
    assert categories == []


def test_victimisation_window_end_is_inclusive(warehouse):
    c8 = person(warehouse, C8)
    assert c8["n_victimisations"] == 1 and c8["victim_mensenhandel"] is True


def test_other_roles_are_not_victimisations(warehouse):
    assert person(warehouse, C4)["n_victimisations"] == 0


def test_victimisation_exactly_three_years_before_first_offence_counts(warehouse):
    o1 = person(warehouse, O1)
    assert o1["first_ht_date"] == dt.date(2016, 6, 15)
    assert (o1["recent_victim_eligible"], o1["recent_victim_3y"]) == (True, True)


def test_eligibility_from_2013_with_registration_date_fallback(warehouse):
    o5 = person(warehouse, O5)
    assert (o5["recent_victim_eligible"], o5["recent_victim_3y"]) == (True, True)
    o2 = person(warehouse, O2)
    assert (o2["recent_victim_eligible"], o2["recent_victim_3y"]) == (False, None)
    assert person(warehouse, C2)["recent_victim_eligible"] is None


def test_offender_careers(warehouse):
    rows = warehouse.execute(
        "select rinpersoon, n_cases, first_offence_date, n_cases_before_first_ht, starts_with_ht, "
        "round(age_first_ht, 4) from marts.fct_offender_careers order by rinpersoon"
    ).fetchall()
    assert rows == [
        (
            O1,
            2,
            dt.date(2005, 3, 1),
            1,
            False,
            round((dt.date(2016, 6, 15) - dt.date(1990, 5, 1)).days / 365.25, 4),
        ),
        (
            O2,
            2,
            dt.date(2005, 6, 1),
            1,
            False,
            round((dt.date(2011, 12, 1) - dt.date(1985, 1, 1)).days / 365.25, 4),
        ),
        (
            O5,
            1,
            dt.date(2013, 1, 1),
            0,
            True,
            round((dt.date(2013, 1, 1) - dt.date(1990, 11, 1)).days / 365.25, 4),
        ),
    ]


@pytest.mark.parametrize(
    ("dataset", "text", "expected"),
    [
        ("GBAPERSOONTAB", "not linkable", 1),
        ("OMZAKEN", "not linkable", 1),
        ("SLOAANG", "not linkable", 1),
        ("AO_2015_2021", "not linkable", 0),
        ("BLSU_STEEKPROEF", "not linkable", 1),
        ("SLOAANG", "unknown feitcode", 1),
        ("OMZAKEN", "unknown feitcode", 1),
        ("SLOAANG", "superseded by a newer one", 1),
        ("GBAPERSOONTAB", "superseded by a newer one", 1),
        ("AO_2015_2021", "superseded by a newer one", 1),
        ("OMZAKEN", "superseded by a newer one", 0),
        ("BLSU_STEEKPROEF", "not in the register", 1),
        ("BLSU_STEEKPROEF", "without a human-trafficking case", 1),
        ("BLSU_STEEKPROEF", "profile was estimated", 1),
        ("matching", "unmatched: criminal_control", 1),
        ("matching", "unmatched: noncriminal_control", 0),
        ("SLOAANG", "outside the victimisation window", 2),
        ("SLOAANG", "role other than", 1),
        ("SLOAANG", "unparseable PLEEGDATUM", 1),
        ("OMZAKEN", "outside the OM window", 1),
    ],
)
def test_dq_findings_count_what_was_left_out(warehouse, dataset, text, expected):
    assert finding(warehouse, dataset, text) == expected


def test_file_inventory_marks_used_and_superseded_versions(warehouse):
    rows = warehouse.execute(
        "select file_name, status, n_rows from staging.stg_cbs__raw_files "
        "where dataset = 'SLOAANG' order by file_name"
    ).fetchall()
    assert rows == [
        ("SLOAANG2009CBKV1.csv", "used", 1),
        ("SLOAANG2012CBKV1.sav", "used", 2),
        ("SLOAANG2015CBKV1.csv", "superseded", 1),
        ("SLOAANG2015CBKV2.parquet", "used", 6),
        ("SLOAANG2016CBKV1.csv", "used", 1),
        ("SLOAANG2023CBKV1.csv", "used", 2),
    ]


def test_lineage_and_leading_zeros_are_kept(warehouse):
    rows = warehouse.execute(
        "select distinct rinpersoon, source_file, file_year, file_version "
        "from staging.stg_cbs__police_registrations where incident_id = 'I2'"
    ).fetchall()
    assert rows == [(O1, "SLOAANG2016CBKV1.csv", 2016, 1)]


def test_contracted_marts_enforce_not_null_in_the_table_definition(warehouse):
    """The marts' not-null columns are NOT NULL in DuckDB: a null fails the build itself."""
    nullable = dict(
        warehouse.execute(
            "select table_name || '.' || column_name, is_nullable "
            "from information_schema.columns where table_schema = 'marts' "
            "and table_name in ('fct_study_persons', 'fct_offender_careers', 'dq_findings')"
        ).fetchall()
    )
    for column in (
        "fct_study_persons.rinpersoon",
        "fct_study_persons.study_group",
        "fct_study_persons.has_lvb",
        "fct_study_persons.n_victimisations",
        "fct_study_persons.victim_mensenhandel",
        "fct_offender_careers.n_cases",
        "fct_offender_careers.starts_with_ht",
        "dq_findings.n_records",
    ):
        assert nullable[column] == "NO", column
    # columns that may be null stay nullable
    assert nullable["fct_study_persons.profile"] == "YES"
    assert nullable["fct_study_persons.first_ht_date"] == "YES"
