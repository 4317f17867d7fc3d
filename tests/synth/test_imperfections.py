"""Each planted imperfection is present (and small)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from readers import files_of, read_any


def _dataset(root: Path, dataset: str, stem_filter: str = "") -> pa.Table:
    return pa.concat_tables(read_any(f) for f in files_of(root, dataset) if stem_filter in f.stem)


@pytest.mark.parametrize(
    "dataset", ["OMZAKEN", "SLOAANG", "AO_2015_2021", "CIZ_2017_2021", "WSW_2015_2021"]
)
def test_unlinkable_rows_with_other_rinpersoons_are_present_and_rare(
    small_parquet: Path, dataset: str
) -> None:
    values = _dataset(small_parquet, dataset)["RINPERSOONS"].to_pylist()
    other = sum(v != "R" for v in values)
    assert other > 0
    assert other / len(values) < 0.05


def test_a_corrected_police_year_has_v1_and_a_different_v2(small_parquet: Path) -> None:
    v1 = read_any(small_parquet / "SLOAANG" / "SLOAANG2015CBKV1.parquet")
    v2 = read_any(small_parquet / "SLOAANG" / "SLOAANG2015CBKV2.parquet")
    rows1 = {tuple(r.values()) for r in v1.to_pylist()}
    rows2 = {tuple(r.values()) for r in v2.to_pylist()}
    assert rows1 - rows2 and rows2 - rows1


def test_a_corrected_lvb_file_has_v1_and_a_different_v2(small_parquet: Path) -> None:
    v1 = {
        tuple(r.values())
        for r in read_any(small_parquet / "AO_2015_2021" / "AO2015_2021V1.parquet").to_pylist()
    }
    v2 = {
        tuple(r.values())
        for r in read_any(small_parquet / "AO_2015_2021" / "AO2015_2021V2.parquet").to_pylist()
    }
    assert v1 - v2 and v2 - v1


def test_lvb_records_outside_the_windows_are_present(small_parquet: Path) -> None:
    ao_years = set(_dataset(small_parquet, "AO_2015_2021")["AOJAAR"].to_pylist())
    wsw_years = set(_dataset(small_parquet, "WSW_2015_2021")["WSWJAAR"].to_pylist())
    ciz_dates = _dataset(small_parquet, "CIZ_2017_2021")["CIZBESLUITDATUM"].to_pylist()
    assert {"2013", "2014", "2022"} <= ao_years
    assert {"2013", "2014", "2022"} <= wsw_years
    assert any(d.startswith("2016") for d in ciz_dates)


def test_police_file_for_a_year_outside_the_study_window(small_parquet: Path) -> None:
    t = read_any(small_parquet / "SLOAANG" / "SLOAANG2009CBKV1.parquet")
    assert t.num_rows > 0
    assert {d[:4] for d in t["REGISTRATIEDATUM"].to_pylist()} == {"2009"}


def test_police_registration_year_matches_the_file_year(small_parquet: Path) -> None:
    for f in files_of(small_parquet, "SLOAANG"):
        years = {d[:4] for d in read_any(f)["REGISTRATIEDATUM"].to_pylist()}
        assert years == {f.stem[7:11]}, f.name


def test_om_registration_year_matches_the_file_year(small_parquet: Path) -> None:
    for f in files_of(small_parquet, "OMZAKEN"):
        years = {d[:4] for d in read_any(f)["OMINSCHRIJVINGSDATUM"].to_pylist()}
        assert years == {f.stem[7:11]}, f.name


@pytest.fixture(scope="module")
def police(small_parquet: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("p", _dataset(small_parquet, "SLOAANG"))
    con.register("om", _dataset(small_parquet, "OMZAKEN"))
    return con


def test_reporter_and_victim_rows_for_the_same_incident_and_person(
    police: duckdb.DuckDBPyConnection,
) -> None:
    n = police.execute(
        "select count(*) from (select VOORVALNUMMER, RINPERSOON from p group by all "
        "having count(distinct ROL) = 2)"
    ).fetchone()[0]
    assert n > 0


def test_incidents_with_several_feitcodes(police: duckdb.DuckDBPyConnection) -> None:
    n = police.execute(
        "select count(*) from (select VOORVALNUMMER from p group by all "
        "having count(distinct FEITCODE) > 1)"
    ).fetchone()[0]
    assert n > 0


def test_unknown_pleegdatum_in_police_and_om_data(police: duckdb.DuckDBPyConnection) -> None:
    share_p = police.execute("select avg((PLEEGDATUM = '')::int) from p").fetchone()[0]
    share_om = police.execute("select avg((OMPLEEGDATUM = '')::int) from om").fetchone()[0]
    assert 0 < share_p < 0.1 and 0 < share_om < 0.1


def test_cases_with_several_offences(police: duckdb.DuckDBPyConnection) -> None:
    n = police.execute(
        "select count(*) from (select OMZAAKNUMMER from om group by all having count(*) > 1)"
    ).fetchone()[0]
    assert n > 0


def test_people_with_a_human_trafficking_case_outside_the_sample(small_parquet: Path) -> None:
    con = duckdb.connect()
    con.register("om", _dataset(small_parquet, "OMZAKEN"))
    con.register("s", read_any(small_parquet / "BLSU_STEEKPROEF" / "BLSU_STEEKPROEF.parquet"))
    n = con.execute(
        "select count(distinct RINPERSOON) from om where FEITCODE = 'SR:273F' "
        "and RINPERSOONS = 'R' and RINPERSOON not in (select RINPERSOON from s)"
    ).fetchone()[0]
    assert n > 0


def test_deaths_before_and_during_the_study_period(small_parquet: Path) -> None:
    dates = _dataset(small_parquet, "GBAOVERLIJDENTAB")["GBADATUMOVERLIJDEN"].to_pylist()
    assert any(d < "20100101" for d in dates)
    assert any("20100101" <= d <= "20231231" for d in dates)


def test_look_back_boundaries_are_planted_for_eligible_offenders(small_parquet: Path) -> None:
    """Some eligible offender's only look-back victimisation is exactly 3 years before the first
    HT offence (counts), and some has one on the day of the offence itself (does not count)."""
    con = duckdb.connect()
    con.register("p", _dataset(small_parquet, "SLOAANG"))
    con.register("s", read_any(small_parquet / "BLSU_STEEKPROEF" / "BLSU_STEEKPROEF.parquet"))
    con.execute(
        """
        create table v as
        select s.RINPERSOON, strptime(s.PLEEGDATUM_EERSTE_MH, '%Y%m%d')::date as ht,
               coalesce(strptime(nullif(p.PLEEGDATUM, ''), '%Y%m%d'),
                        strptime(p.REGISTRATIEDATUM, '%Y%m%d'))::date as d
        from s join p using (RINPERSOONS, RINPERSOON)
        where s.PLEEGDATUM_EERSTE_MH >= '20130101'
        """
    )
    exactly_3y = con.execute(
        "select count(*) from (select RINPERSOON from v group by RINPERSOON, ht having "
        "bool_or(d = ht - interval 3 year) and "
        "count(*) filter (where d > ht - interval 3 year and d < ht) = 0)"
    ).fetchone()[0]
    on_the_day = con.execute(
        "select count(*) from (select RINPERSOON from v group by RINPERSOON, ht having "
        "bool_or(d = ht) and count(*) filter (where d >= ht - interval 3 year and d < ht) = 0)"
    ).fetchone()[0]
    assert exactly_3y > 0
    assert on_the_day > 0
