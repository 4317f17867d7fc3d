"""The study sample: offenders, their profiles, OM careers, LVB indications and victimisations.

Careers follow one age curve per profile (params.ProfileShape, params.AgeCurve):
- The first human-trafficking (HT) offence date H lies in 2013-01-01..2017-06-30 for offenders
  eligible for the recent-victimisation measure and in 2008-01-01..2012-12-31 otherwise (the HT
  case is registered 14-180 days later); the age at H is Normal and fixes the birth month (the
  1st, so ages measured from the 1st of the birth month are exact).
- Every other OM case comes from a Poisson process in age with the profile's rate over the ages
  the offender is observed (2001-01-01..2021-12-31, from age 12): the counts before and after H
  are Poisson with the curve's expected count over each stretch, the ages drawn with density
  proportional to the rate. A fixed number of offenders (those starting with HT) has no case
  before H, picked with weights the odds of a Poisson zero; the others have at least one.
Binary person-level traits of this small group (victim, recent victimisation, LVB) use exact
counts per profile (round(rate * n)) at random positions, so the realised shares equal the
targets up to rounding; the remaining draws (counts, categories, dates) are random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from blsu_synth.omcases import OM_FIRST_DAY, OM_LAST_DAY, case_rows
from blsu_synth.params import (
    GROUP_RATES,
    IMPERFECTIONS,
    OFFENDER_SHARE_WOMEN,
    PROFILE_SHAPES,
    PROFILES,
    ProfileShape,
)
from blsu_synth.police import (
    RATE_GROUPS,
    WINDOW_FIRST_DAY,
    WINDOW_LAST_DAY,
    draw_categories,
    draw_counts,
    draw_dates,
    incident_rows,
    known_pleeg_flags,
)
from blsu_synth.rows import Rows, rank_within
from blsu_synth.text import date_from_parts, date_parts, day, minus_years

YEAR = 365.25
ELIGIBLE_FIRST, ELIGIBLE_LAST = day("2013-01-01"), day("2017-06-30")
EARLY_FIRST, EARLY_LAST = day("2008-01-01"), day("2012-12-31")
#: Youngest age of a case (criminal responsibility) and of the first HT offence.
MIN_AGE, MIN_AGE_HT = 12.0, 16.0


@dataclass
class OffenderDesign:
    """Everything about the offenders; person-level arrays are aligned with `pidx`."""

    pidx: np.ndarray
    profile: np.ndarray  # index into PROFILES
    sex: np.ndarray
    birth_year: np.ndarray
    birth_month: np.ndarray
    ht_day: np.ndarray
    eligible: np.ndarray
    sample_case_no: np.ndarray
    lvb: np.ndarray
    om_rows: Rows
    police_rows: Rows


def exact_counts(n: int, shares: list[float]) -> np.ndarray:
    """Largest-remainder rounding of n * shares (sums to n): 630 -> 227/176/132/95."""
    raw = np.array(shares) * n
    counts = np.floor(raw).astype(np.int64)
    remainder = n - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def exact_subset(rng: np.random.Generator, members: np.ndarray, k: int) -> np.ndarray:
    """Bool mask over `members` positions with exactly k (random) True."""
    mask = np.zeros(len(members), dtype=bool)
    mask[rng.permutation(len(members))[:k]] = True
    return mask


def place_offenders(rng: np.random.Generator, n_offenders: int, n_persons: int) -> np.ndarray:
    """Distinct random person indices for the offenders."""
    picks = np.unique(rng.integers(0, n_persons, 4 * n_offenders + 16))
    return rng.permutation(picks)[:n_offenders]


def _uniform_days(rng: np.random.Generator, lo: int, hi: int, n: int) -> np.ndarray:
    return rng.integers(lo, hi + 1, n).astype(np.int64)


#: Ages (years) at which the profiles' cumulative case intensity is tabulated for sampling.
AGE_GRID = np.arange(0.0, 100.0, 1 / 120)


def _cumulative_rate(shape: ProfileShape) -> np.ndarray:
    """Expected cases from birth to each age of AGE_GRID (trapezoid rule on a 1/120-year grid)."""
    rate = np.exp(shape.curve.log_rate(AGE_GRID))
    steps = (rate[1:] + rate[:-1]) / 2 * np.diff(AGE_GRID)
    return np.concatenate([[0.0], np.cumsum(steps)])


def _poisson_at_least_one(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    """Poisson counts conditioned on >= 1 (inverse CDF of the zero-truncated distribution)."""
    u = rng.random(len(mean))
    p0 = np.exp(-mean)
    target = p0 + u * (1 - p0)
    count = np.ones(len(mean), np.int64)
    pmf = mean * p0
    cdf = p0 + pmf
    while (more := cdf < target).any():
        count += more
        pmf = np.where(more, pmf * mean / count, pmf)
        cdf = cdf + np.where(more, pmf, 0.0)
    return count


def _starters(rng: np.random.Generator, expected: np.ndarray, k: int) -> np.ndarray:
    """Exactly k offenders without a case before H, drawn with weights the odds of a Poisson zero.

    Who starts with HT is then as the curve has it (short or quiet observation before H), while
    their number is fixed.
    """
    mask = np.zeros(len(expected), dtype=bool)
    if k:
        odds = np.exp(-expected) / -np.expm1(-expected)
        mask[rng.choice(len(expected), k, replace=False, p=odds / odds.sum())] = True
    return mask


def _case_ages(
    rng: np.random.Generator, cum: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """n[i] ages in [lo[i], hi[i]) drawn with density proportional to the profile's rate."""
    owner = np.repeat(np.arange(len(n)), n)
    c_lo, c_hi = np.interp(lo, AGE_GRID, cum), np.interp(hi, AGE_GRID, cum)
    target = c_lo[owner] + rng.random(len(owner)) * (c_hi - c_lo)[owner]
    return owner, np.interp(target, cum, AGE_GRID)


def _career(
    rng: np.random.Generator, shape: ProfileShape, eligible: np.ndarray
) -> dict[str, np.ndarray]:
    """H, birth year/month and case dates for one profile's offenders (see ProfileShape)."""
    n = len(eligible)
    ht = np.where(
        eligible,
        _uniform_days(rng, ELIGIBLE_FIRST, ELIGIBLE_LAST, n),
        _uniform_days(rng, EARLY_FIRST, EARLY_LAST, n),
    )
    age_ht = np.clip(rng.normal(shape.mean_age_first_ht, shape.sd_age_first_ht, n), MIN_AGE_HT, 60)
    by, bm, _ = date_parts(ht - np.round(age_ht * YEAR).astype(np.int64) + 15)
    birth = date_from_parts(by, bm, np.ones(n, np.int64))

    def age(days: int | np.ndarray) -> np.ndarray:
        return (days - birth) / YEAR

    cum = _cumulative_rate(shape)
    lo = np.maximum(age(OM_FIRST_DAY), MIN_AGE)
    at_ht = age(ht)
    hi = age(OM_LAST_DAY + 1)
    expected_before = np.maximum(
        np.interp(at_ht, AGE_GRID, cum) - np.interp(lo, AGE_GRID, cum), 1e-9
    )
    starter = _starters(rng, expected_before, round(shape.share_starting_with_ht * n))
    n_before = np.where(starter, 0, _poisson_at_least_one(rng, expected_before))
    n_after = rng.poisson(np.interp(hi, AGE_GRID, cum) - np.interp(at_ht, AGE_GRID, cum))
    owner_b, ages_b = _case_ages(rng, cum, lo, at_ht, n_before)
    owner_a, ages_a = _case_ages(rng, cum, at_ht, hi, n_after)
    before_days = np.clip(
        birth[owner_b] + np.floor(ages_b * YEAR).astype(np.int64),
        OM_FIRST_DAY,
        ht[owner_b] - 1,
    )
    after_days = np.clip(
        birth[owner_a] + np.floor(ages_a * YEAR).astype(np.int64),
        ht[owner_a] + 1,
        OM_LAST_DAY,
    )
    return {
        "ht": ht,
        "birth_year": by,
        "birth_month": bm,
        "case_owner": np.concatenate([owner_b, np.arange(n), owner_a]),
        "case_day": np.concatenate([before_days, ht, after_days]),
        "case_is_ht": np.concatenate(
            [np.zeros(len(owner_b), bool), np.ones(n, bool), np.zeros(len(owner_a), bool)]
        ),
    }


def design_offenders(
    rng: np.random.Generator,
    n_offenders: int,
    n_persons: int,
    case_id_base: int,
    incident_id_base: int,
) -> OffenderDesign:
    """Draw the whole offender sample with careers, LVB flags and police registrations."""
    counts = exact_counts(n_offenders, [PROFILE_SHAPES[p].share for p in PROFILES])
    profile = np.repeat(np.arange(len(PROFILES)), counts)
    pidx = place_offenders(rng, n_offenders, n_persons)
    sex = np.where(exact_subset(rng, profile, round(OFFENDER_SHARE_WOMEN * n_offenders)), 2, 1)

    ht = np.zeros(n_offenders, np.int64)
    eligible = np.zeros(n_offenders, bool)
    birth_year = np.zeros(n_offenders, np.int64)
    birth_month = np.zeros(n_offenders, np.int64)
    lvb = np.zeros(n_offenders, bool)
    case_owner, case_day, case_ht = [], [], []
    for k, name in enumerate(PROFILES):
        members = np.flatnonzero(profile == k)
        elig = exact_subset(rng, members, round(PROFILE_SHAPES[name].eligible_share * len(members)))
        c = _career(rng, PROFILE_SHAPES[name], elig)
        ht[members], eligible[members] = c["ht"], elig
        birth_year[members], birth_month[members] = c["birth_year"], c["birth_month"]
        lvb[members] = exact_subset(rng, members, round(GROUP_RATES[name].lvb * len(members)))
        case_owner.append(members[c["case_owner"]])
        case_day.append(c["case_day"])
        case_ht.append(c["case_is_ht"])
    owner = np.concatenate(case_owner)
    days = np.concatenate(case_day)
    is_ht = np.concatenate(case_ht)
    order = np.lexsort((days, owner))
    owner, days, is_ht = owner[order], days[order], is_ht[order]
    om = case_rows(rng, pidx[owner], days, is_ht, case_id_base)
    sample_case = np.zeros(n_offenders, np.int64)
    sample_case[owner[is_ht]] = case_id_base + np.flatnonzero(is_ht)
    police = _victimisations(rng, pidx, profile, ht, eligible, incident_id_base)
    return OffenderDesign(
        pidx, profile, sex, birth_year, birth_month, ht, eligible, sample_case, lvb, om, police
    )


def _victimisations(
    rng: np.random.Generator,
    pidx: np.ndarray,
    profile: np.ndarray,
    ht: np.ndarray,
    eligible: np.ndarray,
    id_base: int,
) -> Rows:
    """Police rows of the offenders: exact victim and recent counts per profile.

    Recent victims have their first incident in [H - 3 years, H); eligible non-recent victims have
    none there. A share of each is planted on the bounds: the only in-window incident exactly on
    H - 3 years (counts) or an incident exactly on H (does not count).
    """
    n = len(pidx)
    victim = np.zeros(n, bool)
    recent = np.zeros(n, bool)
    for k, name in enumerate(PROFILES):
        members = np.flatnonzero(profile == k)
        rates = GROUP_RATES[name]
        elig_members = members[eligible[members]]
        n_recent = round((rates.recent_3y or 0.0) * len(elig_members))
        rec = elig_members[exact_subset(rng, elig_members, n_recent)]
        recent[rec] = True
        rest = np.setdiff1d(members, rec)
        n_victims = round(rates.victim * len(members))
        victim[rec] = True
        victim[rest[exact_subset(rng, rest, max(n_victims - len(rec), 0))]] = True

    v = np.flatnonzero(victim)
    group = np.array([RATE_GROUPS.index(PROFILES[p]) for p in profile[v]])
    counts = draw_counts(rng, group)
    cats = draw_categories(rng, group)
    owner = np.repeat(np.arange(len(v)), counts)
    rank = rank_within(counts)
    p = v[owner]
    window_lo = minus_years(ht[p], 3)
    # eligible non-recent victims: no incident in [H - 3y, H); recent victims: the first incident
    # is placed there below, later ones may fall anywhere
    excluded = eligible[p] & ~recent[p]
    lo = np.full(len(p), WINDOW_FIRST_DAY)
    hi = np.full(len(p), WINDOW_LAST_DAY)
    dates = draw_dates(
        rng, lo, hi, np.where(excluded, window_lo, lo), np.where(excluded, ht[p], lo)
    )
    first_recent = recent[p] & (rank == 0)
    in_window = window_lo + (rng.random(len(p)) * (ht[p] - window_lo)).astype(np.int64)
    dates = np.where(first_recent, in_window, dates)
    known = known_pleeg_flags(rng, len(p))
    dates, known = _plant_bounds(
        rng, v, counts, rank, p, recent, eligible, ht, window_lo, dates, known
    )
    return incident_rows(rng, pidx[v], counts, cats, dates, known, id_base)


def _plant_bounds(
    rng: np.random.Generator,
    v: np.ndarray,
    counts: np.ndarray,
    rank: np.ndarray,
    p: np.ndarray,
    recent: np.ndarray,
    eligible: np.ndarray,
    ht: np.ndarray,
    window_lo: np.ndarray,
    dates: np.ndarray,
    known: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Boundary cases: a recent victim whose only look-back incident is exactly H - 3 years, and
    an eligible non-recent victim with an incident exactly on H (the day of the offence)."""
    share = IMPERFECTIONS.boundary_share
    rec_v = np.flatnonzero(recent[v])
    non_v = np.flatnonzero(eligible[v] & ~recent[v])
    pick_rec = (
        rec_v[exact_subset(rng, rec_v, max(1, round(share * len(rec_v))))] if len(rec_v) else rec_v
    )
    pick_non = (
        non_v[exact_subset(rng, non_v, max(1, round(share * len(non_v))))] if len(non_v) else non_v
    )
    owner = np.repeat(np.arange(len(v)), counts)
    on_lo = np.isin(owner, pick_rec)
    # later incidents of these recent victims move out of the look-back window
    later = on_lo & (rank > 0) & (dates >= window_lo) & (dates < ht[p])
    dates = np.where(
        later, np.minimum(ht[p] + 1 + rng.integers(0, 365, len(p)), WINDOW_LAST_DAY), dates
    )
    dates = np.where(on_lo & (rank == 0), window_lo, dates)
    on_ht = np.isin(owner, pick_non) & (rank == 0)
    dates = np.where(on_ht, ht[p], dates)
    known = np.where(on_lo | on_ht, True, known)
    return dates, known
