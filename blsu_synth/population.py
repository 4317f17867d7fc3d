"""The population register (GBAPERSOONTAB) and deaths (GBAOVERLIJDENTAB), chunk by chunk.

People are generated in index order; a person's RINPERSOON is index * stride + a random offset
below the stride, so keys are unique, 9 digits and independent of the chunking. The general
population's OM status (none / criminal / human trafficking outside the sample) depends on sex and
birth year only through who *can* have a case; the pools' propensities never do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from blsu_synth.params import CRIMINAL_SHARE, HT_OTHER_SHARE
from blsu_synth.text import date_from_parts, day

FIRST_BIRTH_YEAR = 1900
LAST_BIRTH_YEAR = 2023
ORIGINS_NL = "6030"
ORIGINS_OTHER = ("5049", "5022", "5095", "6002", "6043", "7050", "5017", "9089", "5001", "6029")
ORIGIN_UNKNOWN = "0000"
ORIGIN_LABELS: tuple[str, ...] = (ORIGINS_NL, *ORIGINS_OTHER, ORIGIN_UNKNOWN)
GENERATION_LABELS = ("0", "1", "2", "-")
SEX_LABELS = ("-", "1", "2")

OM_NONE, OM_CRIMINAL, OM_HT_OTHER = 0, 1, 2


@dataclass
class People:
    """One chunk of the register; dates are days since 1970-01-01, -1 unknown/none."""

    pidx: np.ndarray
    rin: np.ndarray
    sex: np.ndarray  # 0 unknown, 1 man, 2 woman
    birth_year: np.ndarray
    birth_month: np.ndarray
    birth_day: np.ndarray
    generation: np.ndarray  # index into GENERATION_LABELS
    origin: np.ndarray  # index into ORIGIN_LABELS
    death: np.ndarray
    om_status: np.ndarray  # OM_NONE, OM_CRIMINAL, OM_HT_OTHER (offenders set separately)

    def __len__(self) -> int:
        return len(self.pidx)


def rin_stride(n_persons: int) -> int:
    return (10**9 - 1) // n_persons


def birth_year_weights() -> np.ndarray:
    """Ever-registered people by birth year: ramp 1900-1920, baby-boom bump 1945-1970."""
    years = np.arange(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)
    w = np.clip((years - FIRST_BIRTH_YEAR) / 20.0, 0.15, 1.0)
    w = w * np.where((years >= 1945) & (years <= 1970), 1.3, 1.0)
    return w / w.sum()


def _deaths(rng: np.random.Generator, birth: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Death dates: before 2010 mostly for the old, some 2010-2023, none for most."""
    n = len(birth)
    age2010 = 2010 - birth_year
    p_before = np.where(birth_year < 2009, np.clip((age2010 - 55) / 40.0, 0, 0.97) + 0.002, 0.0)
    p_during = np.clip((age2010 - 45) / 60.0, 0, 0.7) + 0.003
    u = rng.random(n)
    before = u < p_before
    during = ~before & (rng.random(n) < p_during)
    lo_before = np.maximum(birth, day("1995-01-01"))
    lo_during = np.maximum(birth, day("2010-01-01"))
    d_before = lo_before + (rng.random(n) * (day("2009-12-31") - lo_before + 1)).astype(np.int64)
    d_during = lo_during + (rng.random(n) * (day("2023-12-31") - lo_during + 1)).astype(np.int64)
    return np.where(before, d_before, np.where(during, d_during, -1))


def generate_people(rng: np.random.Generator, start: int, stop: int, n_persons: int) -> People:
    """Register rows for person indices start..stop-1 (before offenders are placed)."""
    n = stop - start
    pidx = np.arange(start, stop, dtype=np.int64)
    stride = rin_stride(n_persons)
    rin = pidx * stride + rng.integers(0, stride, n)
    sex = np.where(rng.random(n) < 0.5, 1, 2)
    sex = np.where(rng.random(n) < 0.0005, 0, sex)
    years = np.arange(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)
    birth_year = rng.choice(years, n, p=birth_year_weights())
    birth_month = rng.integers(1, 13, n)
    birth_day = rng.integers(1, 29, n)
    birth = date_from_parts(birth_year, birth_month, birth_day)
    generation = rng.choice(4, n, p=[0.75, 0.12, 0.11, 0.02])
    origin = np.where(
        generation == 0,
        0,
        np.where(
            generation == 3, len(ORIGIN_LABELS) - 1, rng.integers(1, len(ORIGIN_LABELS) - 1, n)
        ),
    )
    death = _deaths(rng, birth, birth_year)
    om_status = _om_status(rng, sex, birth_year, death)
    return People(
        pidx, rin, sex, birth_year, birth_month, birth_day, generation, origin, death, om_status
    )


def _om_status(
    rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray, death: np.ndarray
) -> np.ndarray:
    """Criminal (>= 1 OM case 2001-2021) for people of an age to have one, by sex."""
    eligible = (
        (birth_year >= 1945)
        & (birth_year <= 2003)
        & (sex > 0)
        & ((death < 0) | (death >= day("2002-01-01")))
    )
    p = np.where(sex == 1, CRIMINAL_SHARE["1"], CRIMINAL_SHARE["2"])
    criminal = eligible & (rng.random(len(sex)) < p)
    ht_other = criminal & (rng.random(len(sex)) < HT_OTHER_SHARE / CRIMINAL_SHARE["2"])
    return np.where(ht_other, OM_HT_OTHER, np.where(criminal, OM_CRIMINAL, OM_NONE))


def birth_days(people: People) -> np.ndarray:
    return date_from_parts(people.birth_year, people.birth_month, people.birth_day)
