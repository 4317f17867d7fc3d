"""OM case rows (OMZAKEN): one row per (case, suspect, offence).

Cases are built as (person, case date) pairs; this module turns them into offence rows with
registration dates, multiple offences per case, unknown OMPLEEGDATUM and the planted unknown
feitcodes. A case's date (its earliest OMPLEEGDATUM, else OMINSCHRIJVINGSDATUM) is always the
intended case date: unknown OMPLEEGDATUM is set for whole cases only, and then the registration
date is the case date.
"""

from __future__ import annotations

import numpy as np

from blsu_synth.codes import HT_FEITCODE, UNKNOWN_FEITCODES, load_feitcodes
from blsu_synth.params import IMPERFECTIONS
from blsu_synth.rows import Rows, rank_within
from blsu_synth.text import UNKNOWN_DATE, day

OM_FIRST_DAY = day("2001-01-01")
OM_LAST_DAY = day("2021-12-31")
#: Case dates stay before this so that registration (up to 180 days later) is inside the window.
OM_LAST_CASE_DAY = day("2021-06-30")
CASE_ID_STRIDE = 10**8


def all_codes() -> tuple[str, ...]:
    """Feitcodes followed by the planted unknown codes: the code index space of all rows."""
    return load_feitcodes().codes + UNKNOWN_FEITCODES


def _non_ht_codes() -> np.ndarray:
    fc = load_feitcodes()
    ht = fc.index(HT_FEITCODE)
    return np.array([i for i in range(len(fc.codes)) if i != ht], dtype=np.int64)


def case_rows(
    rng: np.random.Generator,
    pidx: np.ndarray,
    case_day: np.ndarray,
    is_ht: np.ndarray,
    id_base: int,
) -> Rows:
    """Offence rows of cases (pidx, case date, HT flag); case ids id_base, id_base+1, ...

    HT cases carry SR:273F as their first offence and always a known OMPLEEGDATUM.
    Registration is 0-180 days after the offence (14-180 for HT cases), never after 2021-12-31.
    """
    n = len(pidx)
    case_no = id_base + np.arange(n, dtype=np.int64)
    n_off = 1 + (rng.random(n) < 0.25).astype(np.int64) + (rng.random(n) < 0.05)
    unknown = (rng.random(n) < IMPERFECTIONS.unknown_pleegdatum_om) & ~is_ht
    delay = np.where(is_ht, rng.integers(14, 181, n), rng.integers(0, 181, n))
    registration = np.where(unknown, case_day, np.minimum(case_day + delay, OM_LAST_DAY))

    codes = _non_ht_codes()
    first = rng.integers(0, len(codes), n)
    ht_code = load_feitcodes().index(HT_FEITCODE)

    row_case = np.repeat(np.arange(n), n_off)
    rank = rank_within(n_off)
    feit = codes[(first[row_case] + rank) % len(codes)]
    feit = np.where(is_ht[row_case] & (rank == 0), ht_code, feit)
    later = np.where(rank == 0, 0, rng.integers(0, 31, len(row_case)))
    pleeg = np.where(unknown[row_case], UNKNOWN_DATE, case_day[row_case] + later)

    rows: Rows = {
        "pidx": pidx[row_case].astype(np.int64),
        "rins": np.zeros(len(row_case), dtype=np.int8),
        "rin": np.zeros(len(row_case), dtype=np.int64),
        "case_no": case_no[row_case],
        "registration": registration[row_case].astype(np.int64),
        "pleeg": pleeg.astype(np.int64),
        "feit": feit.astype(np.int64),
    }
    return _plant_unknown_codes(rng, rows)


def _plant_unknown_codes(rng: np.random.Generator, rows: Rows) -> Rows:
    """Add an extra offence row with an unknown feitcode to a few cases (case date unchanged)."""
    n = len(rows["pidx"])
    pick = np.flatnonzero(rng.random(n) < IMPERFECTIONS.unknown_feitcode_share)
    if len(pick) == 0:
        return rows
    extra = {k: v[pick].copy() for k, v in rows.items()}
    n_known = len(load_feitcodes().codes)
    extra["feit"] = n_known + rng.integers(0, len(UNKNOWN_FEITCODES), len(pick))
    return {k: np.concatenate([rows[k], extra[k]]) for k in rows}


def unlinkable_case_rows(
    rng: np.random.Generator, n: int, pidx_pool: np.ndarray, id_base: int
) -> Rows:
    """Cases of suspects with RINPERSOONS other than 'R' (random keys, not in the register)."""
    if n == 0 or len(pidx_pool) == 0:
        return {}
    days = rng.integers(OM_FIRST_DAY, OM_LAST_CASE_DAY, n)
    rows = case_rows(rng, rng.choice(pidx_pool, n), days, np.zeros(n, bool), id_base)
    m = len(rows["pidx"])
    case_rins = rng.integers(1, 3, n)
    case_rin = rng.integers(0, 10**9, n)
    local = rows["case_no"] - id_base
    rows["rins"] = case_rins[local].astype(np.int8)
    rows["rin"] = case_rin[local]
    assert m == len(local)
    return rows
