"""Builders of small DuckDB warehouses with the marts the statistics read.

`write_marts` writes hand-made rows in exactly the mart schemas; `simulate_study` draws a
realistic 630/630/630 study (numpy, fixed seed) whose parameters follow the published figures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

VICTIM_TYPES = (
    "vermogen", "geweld", "vernieling_openbare_orde", "verkeer", "overig", "zeden", "mensenhandel",
)
PERSONS_DDL = f"""
create table marts.fct_study_persons (
    rinpersoons varchar, rinpersoon varchar, study_group varchar, profile varchar,
    matched_rinpersoon varchar, sex varchar, birth_year integer, birth_month integer,
    migration_generation varchar, has_lvb boolean, lvb_ao boolean, lvb_ciz boolean,
    lvb_wsw boolean, is_victim boolean, n_victimisations integer,
    {", ".join(f"victim_{t} boolean" for t in VICTIM_TYPES)},
    first_ht_date date, recent_victim_eligible boolean, recent_victim_3y boolean,
    stated_profile varchar, estimated_profile varchar, estimated_profile_probability double
)"""
CAREERS_DDL = """
create table marts.fct_offender_careers (
    rinpersoons varchar, rinpersoon varchar, profile varchar, birth_year integer,
    birth_month integer, first_ht_date date, n_cases integer, first_offence_date date,
    age_first_offence double, age_first_ht double, n_cases_before_first_ht integer,
    starts_with_ht boolean
)"""
DQ_DDL = "create table marts.dq_findings (dataset varchar, finding varchar, n_records bigint)"

PROFILE_SIZES = {"incidenteel": 227, "vroeg_piek": 176, "laat_piek": 132, "continu": 95}
LVB_RISK = {"noncriminal_control": 0.03, "criminal_control": 0.069, "incidenteel": 0.06,
            "vroeg_piek": 0.15, "laat_piek": 0.07, "continu": 0.26}
VICTIM_RISK = {"noncriminal_control": 0.42, "criminal_control": 0.60, "blsu": 0.74}
EXTRA_VICTIMISATIONS = {"noncriminal_control": 1.0, "criminal_control": 1.5, "blsu": 2.1}
TYPE_RISK = {
    "noncriminal_control": dict(vermogen=.70, geweld=.11, vernieling_openbare_orde=.20,
                                verkeer=.14, overig=.02, zeden=.02, mensenhandel=0.0),
    "criminal_control": dict(vermogen=.70, geweld=.35, vernieling_openbare_orde=.25,
                             verkeer=.14, overig=.03, zeden=.02, mensenhandel=0.0),
    "blsu": dict(vermogen=.72, geweld=.47, vernieling_openbare_orde=.29, verkeer=.14,
                 overig=.08, zeden=.02, mensenhandel=.02),
}
GEWELD_BY_PROFILE = {"incidenteel": .39, "vroeg_piek": .50, "laat_piek": .50, "continu": .62}
RECENT_RISK = {"incidenteel": .30, "vroeg_piek": .54, "laat_piek": .45, "continu": .29}
CAREER = {  # mean age first offence, sd, mean age first HT, cases before first HT, cases after
    "incidenteel": (23.2, 5.0, 30.4, 2.0, 0.6),
    "vroeg_piek": (15.1, 2.0, 22.2, 8.0, 3.5),
    "laat_piek": (20.0, 4.0, 30.0, 6.0, 6.5),
    "continu": (14.4, 1.8, 24.0, 22.4, 8.5),
}


def person(**values: Any) -> dict[str, Any]:
    """A fct_study_persons row with neutral defaults (a non-victim without LVB)."""
    row: dict[str, Any] = {
        "rinpersoons": "R", "rinpersoon": "000000001", "study_group": "noncriminal_control",
        "profile": None, "matched_rinpersoon": None, "sex": "1", "birth_year": 1985,
        "birth_month": 6, "migration_generation": "0", "has_lvb": False, "lvb_ao": False,
        "lvb_ciz": False, "lvb_wsw": False, "is_victim": False, "n_victimisations": 0,
        **{f"victim_{t}": False for t in VICTIM_TYPES},
        "first_ht_date": None, "recent_victim_eligible": None, "recent_victim_3y": None,
    }
    row.update(values)
    return row


def write_marts(
    path: Path,
    persons: pd.DataFrame,
    careers: pd.DataFrame | None = None,
    dq: pd.DataFrame | None = None,
    *,
    skip: tuple[str, ...] = (),
    extra: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Create a DuckDB file with the marts schema and insert the given rows (and `extra`
    marts as they are)."""
    if careers is None:
        careers = careers_from(persons)
    if dq is None:
        dq = pd.DataFrame({"dataset": ["SLOAANG"], "finding": ["records not linkable"],
                           "n_records": [0]})
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        for name, ddl, frame in (
            ("fct_study_persons", PERSONS_DDL, persons),
            ("fct_offender_careers", CAREERS_DDL, careers),
            ("dq_findings", DQ_DDL, dq),
        ):
            if name in skip:
                continue
            con.execute(ddl)
            columns = [r[0] for r in con.execute(f"describe marts.{name}").fetchall()]
            con.register("incoming", frame.reindex(columns=columns))
            con.execute(f"insert into marts.{name} select * from incoming")
            con.unregister("incoming")
        for name, frame in (extra or {}).items():
            con.register("incoming", frame)
            con.execute(f"create table marts.{name} as select * from incoming")
            con.unregister("incoming")
    finally:
        con.close()
    return path


def careers_from(persons: pd.DataFrame) -> pd.DataFrame:
    """A minimal careers mart for the offenders of a persons frame (one case each)."""
    off = persons[persons["study_group"] == "blsu"]
    return pd.DataFrame({
        "rinpersoons": off["rinpersoons"], "rinpersoon": off["rinpersoon"],
        "profile": off["profile"], "birth_year": off["birth_year"],
        "birth_month": off["birth_month"], "first_ht_date": off["first_ht_date"],
        "n_cases": 1, "first_offence_date": off["first_ht_date"], "age_first_offence": 25.0,
        "age_first_ht": 25.0, "n_cases_before_first_ht": 0, "starts_with_ht": True,
    })


def simulate_study(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A simulated 630/630/630 study whose true parameters are close to the published ones."""
    rng = np.random.default_rng(seed)
    profiles = np.repeat(list(PROFILE_SIZES), list(PROFILE_SIZES.values()))
    n = profiles.size
    sex = np.where(rng.random(n) < 0.9, "1", "2")
    birth_year = rng.integers(1960, 2001, n)
    frames = []
    for g_index, group in enumerate(("blsu", "criminal_control", "noncriminal_control")):
        frame = pd.DataFrame({
            "rinpersoons": "R",
            "rinpersoon": [f"{g_index * 100000 + i + 1:09d}" for i in range(n)],
            "study_group": group,
            "profile": profiles if group == "blsu" else None,
            "sex": sex, "birth_year": birth_year, "birth_month": rng.integers(1, 13, n),
        })
        if group != "blsu":
            frame["matched_rinpersoon"] = [f"{i + 1:09d}" for i in range(n)]
        frames.append(simulate_outcomes(frame, group, profiles, rng))
    persons = pd.concat(frames, ignore_index=True)
    careers = simulate_careers(persons[persons["study_group"] == "blsu"], rng)
    dq = pd.DataFrame({
        "dataset": ["SLOAANG", "OMZAKEN", "BLSU_STEEKPROEF"],
        "finding": ["records not linkable", "unknown feitcodes", "sample members not found"],
        "n_records": [120, 0, 3],
    })
    return persons, careers, dq


def simulate_outcomes(
    frame: pd.DataFrame, group: str, profiles: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """LVB, migration background and victimisation for one study group."""
    n = len(frame)
    keys = profiles if group == "blsu" else np.repeat(group, n)
    lvb = rng.random(n) < np.array([LVB_RISK[k] for k in keys])
    source = rng.integers(0, 3, n)
    mig_p = {"blsu": [.4, .3, .28], "criminal_control": [.55, .25, .18],
             "noncriminal_control": [.75, .14, .09]}[group]
    mig = rng.choice(["0", "1", "2", None], n, p=[*mig_p, 1 - sum(mig_p)])
    victim = rng.random(n) < VICTIM_RISK[group]
    counts = np.where(victim, 1 + rng.poisson(EXTRA_VICTIMISATIONS[group], n), 0)
    frame = frame.assign(
        migration_generation=mig, has_lvb=lvb, lvb_ao=lvb & (source == 0),
        lvb_ciz=lvb & (source == 1), lvb_wsw=lvb & (source == 2), is_victim=victim,
        n_victimisations=counts,
    )
    for kind, risk in TYPE_RISK[group].items():
        p = np.full(n, risk)
        if kind == "geweld" and group == "blsu":
            p = np.array([GEWELD_BY_PROFILE[k] for k in keys])
        frame[f"victim_{kind}"] = victim & (rng.random(n) < p)
    if group == "blsu":
        days = rng.integers(0, 3097, n)  # 41% on or after 2013-01-01
        first = [dt.date(2008, 1, 1) + dt.timedelta(days=int(d)) for d in days]
        eligible = np.array([d >= dt.date(2013, 1, 1) for d in first])
        recent = rng.random(n) < np.array([RECENT_RISK[k] for k in keys])
        frame["first_ht_date"] = first
        frame["recent_victim_eligible"] = eligible
        frame["recent_victim_3y"] = pd.array(np.where(eligible, recent & victim, None),
                                             dtype="boolean")
    else:
        frame["first_ht_date"] = None
        frame["recent_victim_eligible"] = None
        frame["recent_victim_3y"] = None
    return frame


def simulate_careers(offenders: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """OM case histories per offender following the published profile means."""
    rows = []
    for _, off in offenders.iterrows():
        age_first, sd, age_ht, before, after = CAREER[off["profile"]]
        n_before = int(rng.negative_binomial(1, 1 / (1 + before)))
        n_cases = n_before + 1 + int(rng.poisson(after))
        a_first = max(12.0, rng.normal(age_first, sd))
        a_ht = max(a_first, rng.normal(age_ht, 4.0)) if n_before else a_first
        rows.append({
            "rinpersoons": off["rinpersoons"], "rinpersoon": off["rinpersoon"],
            "profile": off["profile"], "birth_year": off["birth_year"],
            "birth_month": off["birth_month"], "first_ht_date": off["first_ht_date"],
            "n_cases": n_cases, "first_offence_date": None, "age_first_offence": a_first,
            "age_first_ht": a_ht, "n_cases_before_first_ht": n_before,
            "starts_with_ht": n_before == 0,
        })
    return pd.DataFrame(rows)
