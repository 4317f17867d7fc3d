"""The study's rules applied to a generated folder, independently of the generator's code.

Reads the files back with DuckDB (highest version per year, RINPERSOONS = 'R' only) and computes
per-person measures for the offenders and for the two control pools (everyone eligible, not a
matched draw: the pools' rates are what a random matched draw shows in expectation).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

VERSIONED = re.compile(r"^(?P<stem>.*?)(?P<version>\d+)$")


def latest_files(root: Path, dataset: str, fmt: str = "parquet") -> list[str]:
    """Files of a dataset keeping only the highest version per file stem (year)."""
    best: dict[str, tuple[int, Path]] = {}
    for path in sorted((root / dataset).glob(f"*.{fmt}")):
        match = VERSIONED.match(path.stem)
        stem, version = (match["stem"], int(match["version"])) if match else (path.stem, 0)
        if stem not in best or version > best[stem][0]:
            best[stem] = (version, path)
    return [str(p) for _, p in sorted(best.values(), key=lambda vp: str(vp[1]))]


_PERSONS_SQL = """
create table feit as select * from read_csv('{seeds}/feitcodes.csv', all_varchar = true);
create table lvb_persons as
    select distinct RINPERSOON from ao
    where AODIAGNOSECODE in ('O302','O303','O308','O309','O602','O603')
      and cast(AOJAAR as int) between 2015 and 2021
    union select distinct RINPERSOON from ciz
    where CIZZZP in ('780','781','782','783','784','790')
      and strptime(CIZBESLUITDATUM, '%Y%m%d')::date between date '2017-01-01' and date '2021-12-31'
    union select distinct RINPERSOON from wsw
    where WSWHANDICAPCODE in ('21','110') and cast(WSWJAAR as int) between 2015 and 2021;
create table vict as
    select p.RINPERSOON, p.VOORVALNUMMER,
           min(coalesce(strptime(nullif(p.PLEEGDATUM, ''), '%Y%m%d'),
                        strptime(p.REGISTRATIEDATUM, '%Y%m%d')))::date as event_date,
           list(distinct f.report_category) as cats
    from police p left join feit f on f.feitcode = p.FEITCODE
    where strptime(p.REGISTRATIEDATUM, '%Y%m%d')::date
          between date '2010-01-01' and date '2023-12-31'
    group by all;
create table om_cases as
    select RINPERSOON, OMZAAKNUMMER,
           coalesce(min(strptime(nullif(OMPLEEGDATUM, ''), '%Y%m%d')),
                    min(strptime(OMINSCHRIJVINGSDATUM, '%Y%m%d')))::date as case_date,
           bool_or(FEITCODE = 'SR:273F') as is_ht
    from om
    where strptime(OMINSCHRIJVINGSDATUM, '%Y%m%d')::date
          between date '2001-01-01' and date '2021-12-31'
    group by all;
create table persons as
    with om_person as (
        select RINPERSOON, bool_or(is_ht) as any_ht from om_cases group by all
    )
    select r.RINPERSOON, r.GBAGESLACHT as sex, cast(r.GBAGEBOORTEJAAR as int) as birth_year,
           make_date(cast(r.GBAGEBOORTEJAAR as int), cast(r.GBAGEBOORTEMAAND as int), 1)
               as birth_date,
           case when s.RINPERSOON is not null then 'blsu'
                when o.RINPERSOON is null then 'noncriminal_control'
                when not o.any_ht then 'criminal_control' end as study_group,
           s.DADERPROFIEL as profile,
           strptime(s.PLEEGDATUM_EERSTE_MH, '%Y%m%d')::date as first_ht_date,
           d.RINPERSOON is not null and strptime(d.GBADATUMOVERLIJDEN, '%Y%m%d')::date
               < date '2010-01-01' as died_before_window,
           l.RINPERSOON is not null as has_lvb
    from register r
    left join sample s using (RINPERSOON)
    left join om_person o using (RINPERSOON)
    left join deaths d using (RINPERSOON)
    left join lvb_persons l using (RINPERSOON);
create table study as
    with v as (
        select RINPERSOON, count(*) as n_vict,
               bool_or(list_contains(cats, 'geweld')) as geweld,
               bool_or(list_contains(cats, 'vermogen')) as vermogen,
               bool_or(list_contains(cats, 'zeden')) as zeden,
               bool_or(list_contains(cats, 'vernieling_openbare_orde')) as vernieling,
               bool_or(list_contains(cats, 'verkeer')) as verkeer,
               bool_or(list_contains(cats, 'overig')) as overig,
               bool_or(list_contains(cats, 'mensenhandel')) as mensenhandel
        from vict group by all
    ),
    recent as (
        select distinct p.RINPERSOON from persons p join vict using (RINPERSOON)
        where p.first_ht_date >= date '2013-01-01'
          and vict.event_date >= p.first_ht_date - interval 3 year
          and vict.event_date < p.first_ht_date
    )
    select p.*, coalesce(v.n_vict, 0) as n_vict, coalesce(v.n_vict, 0) > 0 as is_victim,
           v.* exclude (RINPERSOON, n_vict),
           case when p.first_ht_date >= date '2013-01-01' then true
                when p.study_group = 'blsu' then false end as recent_eligible,
           case when p.first_ht_date >= date '2013-01-01'
                then rc.RINPERSOON is not null end as recent_3y
    from persons p
    left join v using (RINPERSOON)
    left join recent rc using (RINPERSOON)
    where p.study_group = 'blsu'
       or (p.study_group is not null and not p.died_before_window and p.sex in ('1', '2')
           and p.birth_year between 1940 and 2005);
create table careers as
    select p.RINPERSOON, p.profile, count(*) as n_cases,
           datediff('day', p.birth_date, min(c.case_date)) / 365.25 as age_first_offence,
           datediff('day', p.birth_date, p.first_ht_date) / 365.25 as age_first_ht,
           count(*) filter (where c.case_date < p.first_ht_date) as n_before
    from persons p join om_cases c using (RINPERSOON)
    where p.study_group = 'blsu'
    group by p.RINPERSOON, p.profile, p.birth_date, p.first_ht_date;
"""


def study_connection(root: Path, seeds: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB views over the latest files (linked rows only) and the study-person tables."""
    con = duckdb.connect()
    for view, dataset in [
        ("register", "GBAPERSOONTAB"),
        ("deaths", "GBAOVERLIJDENTAB"),
        ("om", "OMZAKEN"),
        ("sample", "BLSU_STEEKPROEF"),
        ("ao", "AO_2015_2021"),
        ("ciz", "CIZ_2017_2021"),
        ("wsw", "WSW_2015_2021"),
        ("police", "SLOAANG"),
    ]:
        files = latest_files(root, dataset)
        con.execute(
            f"create view {view} as select * from read_parquet({files!r}) where RINPERSOONS = 'R'"
        )
    con.execute(_PERSONS_SQL.replace("{seeds}", str(seeds)))
    return con
