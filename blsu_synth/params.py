"""Size presets and calibration parameters of the synthetic population.

Every number here is a *person-level propensity* chosen so that a correct pipeline recovers the
published figures (seeds/published_figures.csv) in expectation. Nothing is written as an aggregate.
The derivations are spelled out next to each parameter; `calibration_parameters()` exports them all
to the manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from blsu.project import codes
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
class ProfileShape:
    """Career shape of one offender profile (ages in years, counts in OM cases).

    `mean_age_first_offence`, `mean_age_first_ht` and `mean_cases_before_first_ht` are means over
    all offenders of the profile, as the warehouse measures them in `fct_offender_careers`.
    Published values: incidenteel 23.2 / 30.4 / 2.0 (29% start with HT), vroeg_piek 15.1 / 22.2,
    continu 14.4 and 22.4 cases before HT. Unpublished values are chosen to fit the profile's
    peak ages (vroeg_piek 15-22, laat_piek 22-33). `mean_cases_after_first_ht` is chosen so that
    the expected share of all offender cases is 9% for incidenteel and 40% for continu:
    227*(2.0+1+0.5) = 794.5, 176*(8+1+5) = 2464, 132*(5+1+9.4) = 2032.8, 95*(22.4+1+13.8) = 3534;
    total 8825 -> 9.0% and 40.0%.
    `eligible_share`: share whose first HT offence is on or after 2013-01-01 (recent-victimisation
    eligible): 120/227, 60/176, 45/132, 35/95 -> 260 of 630 (41%).
    `after_span_years`: later cases fall within this many years after the first HT offence
    (None: up to the end of the OM window); `after_front_loaded` squeezes them towards the start.
    """

    share: float
    mean_age_first_offence: float
    sd_age_first_offence: float
    mean_age_first_ht: float
    sd_age_first_ht_starters: float
    share_starting_with_ht: float
    mean_cases_before_first_ht: float
    mean_cases_after_first_ht: float
    eligible_share: float
    after_span_years: float | None
    after_front_loaded: bool


PROFILE_SHAPES: dict[str, ProfileShape] = {
    "incidenteel": ProfileShape(0.36, 23.2, 3.5, 30.4, 6.0, 0.29, 2.0, 0.5, 120 / 227, 8.0, True),
    "vroeg_piek": ProfileShape(0.28, 15.1, 1.2, 22.2, 0.0, 0.0, 8.0, 5.0, 60 / 176, 8.0, True),
    "laat_piek": ProfileShape(0.21, 19.0, 2.5, 27.0, 0.0, 0.0, 5.0, 9.4, 45 / 132, 6.0, False),
    "continu": ProfileShape(0.15, 14.4, 1.2, 22.4, 0.0, 0.0, 22.4, 13.8, 35 / 95, None, False),
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
        "profiles": {name: asdict(shape) for name, shape in PROFILE_SHAPES.items()},
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
