"""LVB records (AO, CIZ, WSW) from person-level indications, plus non-qualifying noise.

A person with an LVB indication gets one qualifying record inside the source's window in one
source (or two: AO+CIZ, AO+WSW; split `params.LVB_SOURCE_SPLIT`), sometimes a second record in a
later year. Noise records never qualify: a qualifying code outside the window (AO/WSW years
2013, 2014, 2022; CIZ dates in 2016) or a non-qualifying code inside it.
"""

from __future__ import annotations

import numpy as np

from blsu_core.project import read_seed
from blsu_synth.codes import load_lvb_codes
from blsu_synth.params import IMPERFECTIONS, LVB_SOURCE_SPLIT
from blsu_synth.rows import Rows, concat
from blsu_synth.text import day

AO_REGELINGEN = ("WAO", "WIA", "WAZ", "WAJONG")
AO_NONQUALIFYING = ("O100", "O301", "O601", "P201", "P402", "Q110")
CIZ_NONQUALIFYING = ("101", "352", "770", "785", "VG03")
WSW_NONQUALIFYING = ("10", "12", "22", "30", "111")
OUTSIDE_YEARS = np.array([2013, 2014, 2022])
CIZ_FIRST, CIZ_LAST = next((day(row["window_start"]), day(row["window_end"]))
                           for row in read_seed("lvb_codes") if row["source"] == "CIZ")
CIZ_OUTSIDE_FIRST, CIZ_OUTSIDE_LAST = day("2016-01-01"), day("2016-12-31")

SOURCES = ("AO", "CIZ", "WSW")


def code_labels(source: str) -> tuple[str, ...]:
    """Code index space per source: qualifying codes, then non-qualifying ones."""
    codes = load_lvb_codes()
    if source == "AO":
        return codes.ao + AO_NONQUALIFYING
    if source == "CIZ":
        return codes.ciz + CIZ_NONQUALIFYING
    return codes.wsw + WSW_NONQUALIFYING


def _n_qualifying(source: str) -> int:
    codes = load_lvb_codes()
    return len({"AO": codes.ao, "CIZ": codes.ciz, "WSW": codes.wsw}[source])


def draw_sources(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Which sources carry each indicated person's LVB record (bool per source)."""
    p = np.cumsum(list(LVB_SOURCE_SPLIT.values()))
    kind = np.minimum((rng.random((n, 1)) > p).sum(axis=1), len(p) - 1)
    names = list(LVB_SOURCE_SPLIT)
    ao = np.isin(kind, [names.index("AO"), names.index("AO+CIZ"), names.index("AO+WSW")])
    ciz = np.isin(kind, [names.index("CIZ"), names.index("AO+CIZ")])
    wsw = np.isin(kind, [names.index("WSW"), names.index("AO+WSW")])
    return {"AO": ao, "CIZ": ciz, "WSW": wsw}


def _records(rng: np.random.Generator, source: str, pidx: np.ndarray, qualifying: bool) -> Rows:
    n = len(pidx)
    nq = _n_qualifying(source)
    n_all = len(code_labels(source))
    if qualifying:
        code = rng.integers(0, nq, n)
        year = rng.integers(2015, 2022, n)
        when = rng.integers(CIZ_FIRST, CIZ_LAST + 1, n)
    else:
        outside = rng.random(n) < 0.5
        code = np.where(outside, rng.integers(0, nq, n), rng.integers(nq, n_all, n))
        year = np.where(outside, rng.choice(OUTSIDE_YEARS, n), rng.integers(2015, 2022, n))
        when = np.where(
            outside,
            rng.integers(CIZ_OUTSIDE_FIRST, CIZ_OUTSIDE_LAST + 1, n),
            rng.integers(CIZ_FIRST, CIZ_LAST + 1, n),
        )
    return {
        "pidx": pidx.astype(np.int64),
        "rins": np.zeros(n, dtype=np.int8),
        "rin": np.zeros(n, dtype=np.int64),
        "code": code.astype(np.int64),
        "year": (year if source != "CIZ" else when).astype(np.int64),
        "regeling": rng.choice(len(AO_REGELINGEN), n, p=[0.15, 0.25, 0.05, 0.55]),
    }


def lvb_rows(
    rng: np.random.Generator, indicated_pidx: np.ndarray, noise_pool: np.ndarray
) -> dict[str, Rows]:
    """Records per source for indicated persons, with non-qualifying noise for others.

    The `year` column holds AOJAAR/WSWJAAR, or the CIZ decision date as days since epoch.
    """
    sources = draw_sources(rng, len(indicated_pidx))
    n_noise = round(len(noise_pool) * IMPERFECTIONS.lvb_noise_share)
    out: dict[str, Rows] = {}
    for source in SOURCES:
        who = indicated_pidx[sources[source]]
        again = who[rng.random(len(who)) < 0.2]
        noise = rng.choice(noise_pool, n_noise // 3) if len(noise_pool) else noise_pool
        out[source] = concat(
            [
                _records(rng, source, who, True),
                _records(rng, source, again, True),
                _records(rng, source, noise, False),
            ]
        )
    return out


def unlinkable_lvb_rows(rng: np.random.Generator, source: str, pidx_pool: np.ndarray) -> Rows:
    """A few qualifying records of persons with RINPERSOONS other than 'R'."""
    n = max(1, int(len(pidx_pool) * IMPERFECTIONS.non_r_share * 0.05))
    rows = _records(rng, source, rng.choice(pidx_pool, n), True)
    rows["rins"] = rng.integers(1, 3, n).astype(np.int8)
    rows["rin"] = rng.integers(0, 10**9, n)
    return rows
