"""Size presets and calibration parameters of the synthetic population.

Every number here is a *person-level propensity* chosen so that a correct pipeline recovers the
published figures (seeds/published_figures.csv) in expectation. Nothing is written as an aggregate.
The derivations are spelled out next to each parameter; `calibration_parameters()` exports them all
to the manifest.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from blsu_core.project import codes
from blsu_synth.codes import CATEGORIES

PROFILES: tuple[str, ...] = codes("profiles")


@dataclass(frozen=True)
class SizePreset:
    """How many people to generate and how to chunk them."""

    name: str
    n_persons: int
    n_offenders: int
    chunk_size: int


PRESETS: dict[str, SizePreset] = {
    "small": SizePreset("small", n_persons=20_000, n_offenders=63, chunk_size=20_000),
    "default": SizePreset("default", n_persons=300_000, n_offenders=630, chunk_size=150_000),
    "national": SizePreset("national", n_persons=24_000_000, n_offenders=630, chunk_size=1_000_000),
    # fractions of the national register for scaling benchmarks; the study sample stays 630
    "national_1pct": SizePreset(
        "national_1pct", n_persons=240_000, n_offenders=630, chunk_size=1_000_000
    ),
    "national_10pct": SizePreset(
        "national_10pct", n_persons=2_400_000, n_offenders=630, chunk_size=1_000_000
    ),
}


@dataclass(frozen=True)
class AgeCurve:
    """Expected OM cases per year at age a of one profile: a log-quadratic bump,

    log rate(a) = log(peak_rate) - (a - peak_age)^2 / (2 width^2),

    a polynomial in age of degree 2 (within the trajectory model's cubic; the coefficients in
    t = (a - 20) / 10 are in the manifest). The rate is at least half its peak from
    peak_age - 1.18 width to peak_age + 1.18 width.
    """

    peak_rate: float
    peak_age: float
    width: float

    def log_rate(self, age: np.ndarray) -> np.ndarray:
        """log expected cases per year at each age (years)."""
        d = np.asarray(age, dtype=float) - self.peak_age
        return math.log(self.peak_rate) - d**2 / (2 * self.width**2)

    def coefficients(self) -> list[float]:
        """The same polynomial as coefficients of t^0, t^1, t^2 with t = (age - 20) / 10."""
        shift = 20.0 - self.peak_age
        w2 = self.width**2
        return [math.log(self.peak_rate) - shift**2 / (2 * w2), -10 * shift / w2, -50 / w2]


@dataclass(frozen=True)
class ProfileShape:
    """How one offender profile's OM career is drawn (ages in years, counts in OM cases).

    Every offender of the profile has the OM cases of one shared age curve (`curve`): a Poisson
    process in age with that rate over the ages at which they are observed (the OM window
    2001-2021, from age 12; offenders are alive throughout). On top comes the first human-
    trafficking (HT) case on day H, in 2013-01-01..2017-06-30 for the `eligible_share` eligible
    for the recent-victimisation measure and in 2008-01-01..2012-12-31 otherwise; the age at H is
    Normal(`mean_age_first_ht`, `sd_age_first_ht`) and fixes the birth month. Exactly
    round(`share_starting_with_ht` * n) offenders have no case before H; the others have at least
    one (the count before H is then the curve's Poisson count conditioned on >= 1).

    `mean_age_first_offence` and `mean_cases_before_first_ht` are not drawn but follow from the
    curve, the age at H and the observation window; the curves are calibrated (by simulation of
    100,000 offenders per profile) so that their expectations, as the warehouse measures them in
    `fct_offender_careers`, are the published ones: incidenteel 23.2 / 30.4 / 2.0 (29% start with
    HT), vroeg_piek 15.1 / 22.2, continu 14.4 and 22.4 cases before HT. Unpublished values fit
    the profiles' peak ages (vroeg_piek 15-22, laat_piek 22-33). The curves' levels also give the
    published shares of all offender cases, 9% incidenteel and 40% continu.
    `eligible_share`: 120/227, 60/176, 45/132, 35/95 -> 260 of 630 (41%).
    """

    share: float
    curve: AgeCurve
    mean_age_first_ht: float
    sd_age_first_ht: float
    share_starting_with_ht: float
    mean_age_first_offence: float
    mean_cases_before_first_ht: float
    eligible_share: float


PROFILE_SHAPES: dict[str, ProfileShape] = {
    "incidenteel": ProfileShape(
        0.36, AgeCurve(0.4, 13.0, 9.0), 30.4, 3.0, 0.29, 23.3, 2.06, 120 / 227
    ),
    "vroeg_piek": ProfileShape(
        0.28, AgeCurve(1.25, 19.0, 3.4), 22.2, 2.0, 0.0, 15.0, 7.9, 60 / 176
    ),
    "laat_piek": ProfileShape(0.21, AgeCurve(1.6, 28.0, 5.1), 27.0, 3.0, 0.0, 19.9, 8.3, 45 / 132),
    "continu": ProfileShape(0.15, AgeCurve(2.45, 20.0, 8.0), 23.8, 2.0, 0.0, 14.2, 22.4, 35 / 95),
}

#: Offenders' share of women ("mostly men").
OFFENDER_SHARE_WOMEN = 0.08

#: LVB reference rate p0 of the non-criminal population.
LVB_P0 = 0.02


def _category_rates(**overrides: float) -> dict[str, float]:
    base = {
        "vermogen": 0.72,
        "geweld": 0.47,
        "vernieling_openbare_orde": 0.29,
        "verkeer": 0.14,
        "overig": 0.08,
        "zeden": 0.02,
        "mensenhandel": 0.02,
    }
    base.update(overrides)
    return base


@dataclass(frozen=True)
class GroupRates:
    """Person-level propensities of one group (a population pool or an offender profile).

    lvb: probability of an LVB indication (qualifying code inside the window).
    victim: probability of >= 1 victimisation registered 2010-2023.
    mean_victimisations: mean number among victims (1 + Poisson(mean - 1)).
    category: share of victims with >= 1 victimisation of each report category.
    recent_3y: offenders only, among those eligible (first HT >= 2013-01-01): share victimised in
      [first HT - 3 years, first HT).
    """

    lvb: float
    victim: float
    mean_victimisations: float
    category: dict[str, float] = field(default_factory=dict)
    recent_3y: float | None = None


# LVB: non-criminal p0, criminal 2.3*p0; offenders 3.6*p0 overall with vroeg_piek 5.0*p0 and
# continu 8.7*p0; incidenteel and laat_piek x*p0 with 0.36x + 0.28*5.0 + 0.21x + 0.15*8.7 = 3.6
# -> x = 1.57 (not significantly different from the controls at these group sizes).
_X = (3.6 - 0.28 * 5.0 - 0.15 * 8.7) / (0.36 + 0.21)

# Victim shares 74/60/42%, means 3.1/2.5/2.0; profiles equal. Recent victimisation by profile
# 30/54/45/29% -> with eligible counts 120/60/45/35 the overall share is 98.8/260 = 38%.
# Geweld by profile 39/49/49/62 -> 0.36*39 + 0.28*49 + 0.21*49 + 0.15*62 = 47.4 (published 47).
GROUP_RATES: dict[str, GroupRates] = {
    "noncriminal": GroupRates(
        LVB_P0, 0.42, 2.0, _category_rates(geweld=0.11, overig=0.02, mensenhandel=0.0)
    ),
    "criminal": GroupRates(
        2.3 * LVB_P0, 0.60, 2.5, _category_rates(geweld=0.35, overig=0.03, mensenhandel=0.0)
    ),
    "incidenteel": GroupRates(_X * LVB_P0, 0.74, 3.1, _category_rates(geweld=0.39), 0.30),
    "vroeg_piek": GroupRates(5.0 * LVB_P0, 0.74, 3.1, _category_rates(geweld=0.49), 0.54),
    "laat_piek": GroupRates(_X * LVB_P0, 0.74, 3.1, _category_rates(geweld=0.49), 0.45),
    "continu": GroupRates(8.7 * LVB_P0, 0.74, 3.1, _category_rates(geweld=0.62), 0.29),
}

#: Pool codes used in person arrays.
POOL_NONCRIMINAL = 0
POOL_CRIMINAL = 1
POOL_HT_OTHER = 2
POOL_INACTIVE = 3
POOL_OFFENDER_BASE = 10  # + profile index

#: Share of people with >= 1 OM case among those of an age to have one (born 1945-2003, alive
#: in 2001), by sex (men, women). The pools' rates do not depend on this.
CRIMINAL_SHARE = {"1": 0.16, "2": 0.05}
#: Mean number of OM cases of a general-population suspect (1 + Poisson(mean - 1)).
CRIMINAL_MEAN_CASES = 2.5
#: Share of the population with a human-trafficking case that is not in the sample.
HT_OTHER_SHARE = 0.0001

#: Split of LVB indications over the sources: AO only, CIZ only, WSW only, AO+CIZ, AO+WSW.
LVB_SOURCE_SPLIT = {"AO": 0.45, "CIZ": 0.25, "WSW": 0.20, "AO+CIZ": 0.05, "AO+WSW": 0.05}

#: Role of a linked person in an incident: reporter only, victim only, both (two rows).
ROLE_SPLIT = {"A": 0.35, "S": 0.45, "AS": 0.20}


@dataclass(frozen=True)
class Imperfections:
    """Rates of the planted imperfections; small enough not to disturb the calibration."""

    non_r_share: float = 0.004  # extra unlinkable rows per dataset (RINPERSOONS B or X)
    unknown_pleegdatum_police: float = 0.04
    unknown_pleegdatum_om: float = 0.05
    second_feitcode_same_category: float = 0.10
    unknown_feitcode_share: float = 0.002
    lvb_noise_share: float = 0.01  # non-qualifying LVB records per person
    police_2009_share: float = 0.03  # people with a registration in SLOAANG2009 (outside window)
    corrected_police_year: int = 2015
    corrected_drop_share: float = 0.03  # rows of the corrected year missing from V1
    corrected_extra_share: float = 0.02  # bogus rows only in V1
    boundary_share: float = 0.10  # eligible offenders planted on the 3-year / offence-day bounds


IMPERFECTIONS = Imperfections()


def category_sampling(rates: dict[str, float]) -> tuple[list[float], list[float]]:
    """Primary-category probabilities and extra-category probabilities for one group.

    A victim gets one primary category from a categorical distribution pi and, independently,
    every other category c with probability q_c. The marginal share is then
    pi_c + (1 - pi_c) * q_c. With pi_c = m_c / S (S = sum of the target marginals m, >= 1 for
    every group) and q_c = (m_c - pi_c) / (1 - pi_c), each marginal equals its target m_c and no
    victim has an empty category set.
    """
    m = [rates[c] for c in CATEGORIES]
    total = sum(m)
    if total < 1.0:
        raise ValueError("category shares must sum to >= 1 to give every victim a category")
    pi = [x / total for x in m]
    q = [(x - p) / (1.0 - p) if p < 1.0 else 0.0 for x, p in zip(m, pi, strict=True)]
    return pi, q


def calibration_parameters() -> dict[str, object]:
    """Every calibration parameter as plain JSON-able data (for the manifest)."""
    return {
        "profiles": {
            name: {**asdict(shape), "log_rate_coefficients": shape.curve.coefficients()}
            for name, shape in PROFILE_SHAPES.items()
        },
        "offender_share_women": OFFENDER_SHARE_WOMEN,
        "lvb_p0": LVB_P0,
        "group_rates": {name: asdict(r) for name, r in GROUP_RATES.items()},
        "criminal_share_by_sex": CRIMINAL_SHARE,
        "criminal_mean_cases": CRIMINAL_MEAN_CASES,
        "ht_other_share": HT_OTHER_SHARE,
        "lvb_source_split": LVB_SOURCE_SPLIT,
        "role_split": ROLE_SPLIT,
        "imperfections": asdict(IMPERFECTIONS),
    }
