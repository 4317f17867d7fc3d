"""Police registrations of reporters and victims (SLOAANG).

A victim's incidents are built from person-level draws: the number of victimisations
(1 + Poisson(mean - 1)), the set of report categories among them (see
`params.category_sampling`) and the incident dates. Every incident belongs to one linked person
(reporter, victim, or both: two rows), so a person's count of distinct VOORVALNUMMER is exactly
the drawn number. Incidents cover the drawn category set exactly: the first incidents take one
category each, surplus categories ride along as extra feitcodes of earlier incidents, and surplus
incidents repeat a category already in the set.
"""

from __future__ import annotations

import numpy as np

from blsu_core.project import study_var
from blsu_synth.codes import CATEGORIES, UNKNOWN_FEITCODES, load_feitcodes
from blsu_synth.params import GROUP_RATES, IMPERFECTIONS, ROLE_SPLIT, category_sampling
from blsu_synth.rows import Rows, rank_within
from blsu_synth.text import UNKNOWN_DATE, day

WINDOW_FIRST_DAY = day(study_var("victim_window_start"))
WINDOW_LAST_DAY = day(study_var("victim_window_end"))
INCIDENT_ID_STRIDE = 10**8

#: Rate groups in a fixed order; person arrays hold an index into this tuple.
RATE_GROUPS: tuple[str, ...] = tuple(GROUP_RATES)


def draw_counts(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    """Victimisations per victim: 1 + Poisson(mean - 1) with the group's mean."""
    means = np.array([GROUP_RATES[g].mean_victimisations for g in RATE_GROUPS])
    return 1 + rng.poisson(means[group] - 1.0)


def draw_categories(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    """Category set per victim (bool matrix victims x categories) with the group's marginals."""
    pis, qs = zip(*(category_sampling(GROUP_RATES[g].category) for g in RATE_GROUPS), strict=True)
    pi = np.array(pis)[group]
    q = np.array(qs)[group]
    cum = np.cumsum(pi, axis=1)
    primary = (rng.random((len(group), 1)) > cum).sum(axis=1)
    primary = np.minimum(primary, len(CATEGORIES) - 1)
    cats = rng.random(q.shape) < q
    cats[np.arange(len(group)), primary] = True
    return cats


def incident_categories(
    rng: np.random.Generator, counts: np.ndarray, cats: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(incident index, category) pairs covering each victim's category set exactly.

    Incident indices run over all victims' incidents in order (victim 0's first, ...).
    """
    n_v, n_c = cats.shape
    # random order of each victim's categories
    keys = np.where(cats, rng.random(cats.shape), 2.0)
    order = np.argsort(keys, axis=1)
    n_cats = cats.sum(axis=1)
    slot_rank = np.tile(np.arange(n_c), (n_v, 1))
    in_set = slot_rank < n_cats[:, None]
    victim_of_slot = np.repeat(np.arange(n_v), n_c).reshape(n_v, n_c)[in_set]
    cat_of_slot = order[in_set]
    rank_of_slot = slot_rank[in_set]
    first_incident = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    slot_incident = first_incident[victim_of_slot] + rank_of_slot % counts[victim_of_slot]

    # incidents beyond the category count repeat one of the victim's categories
    inc_victim = np.repeat(np.arange(n_v), counts)
    inc_rank = rank_within(counts)
    surplus = inc_rank >= n_cats[inc_victim]
    sv = inc_victim[surplus]
    pick = (rng.random(len(sv)) * n_cats[sv]).astype(np.int64)
    surplus_cat = order[sv, pick]
    incident = np.concatenate([slot_incident, np.flatnonzero(surplus)])
    category = np.concatenate([cat_of_slot, surplus_cat])
    return incident, category


def _codes_by_category() -> list[np.ndarray]:
    fc = load_feitcodes()
    return [np.array(fc.codes_of(c), dtype=np.int64) for c in CATEGORIES]


def feitcode_rows(
    rng: np.random.Generator, incident: np.ndarray, category: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(incident, feitcode index) rows: one code per category, sometimes a second of the same
    category, and now and then an extra unknown code (categories unchanged)."""
    by_cat = _codes_by_category()
    sizes = np.array([len(c) for c in by_cat])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.concatenate(by_cat)
    pos = (rng.random(len(category)) * sizes[category]).astype(np.int64)
    code = flat[offsets[category] + pos]
    second = (rng.random(len(category)) < IMPERFECTIONS.second_feitcode_same_category) & (
        sizes[category] > 1
    )
    shift = 1 + (rng.random(second.sum()) * (sizes[category[second]] - 1)).astype(np.int64)
    code2 = flat[offsets[category[second]] + (pos[second] + shift) % sizes[category[second]]]
    incidents = np.concatenate([incident, incident[second]])
    codes = np.concatenate([code, code2])
    n_inc = int(incident.max()) + 1 if len(incident) else 0
    unknown = np.flatnonzero(rng.random(n_inc) < IMPERFECTIONS.unknown_feitcode_share)
    n_known = len(load_feitcodes().codes)
    unknown_codes = n_known + rng.integers(0, len(UNKNOWN_FEITCODES), len(unknown))
    return np.concatenate([incidents, unknown]), np.concatenate([codes, unknown_codes])


def draw_dates(
    rng: np.random.Generator,
    lo: np.ndarray,
    hi: np.ndarray,
    gap_lo: np.ndarray | None = None,
    gap_hi: np.ndarray | None = None,
) -> np.ndarray:
    """Uniform day in [lo, hi] leaving out [gap_lo, gap_hi) where given (gap inside [lo, hi])."""
    if gap_lo is None or gap_hi is None:
        gap_lo = gap_hi = lo
    gap = np.maximum(gap_hi - gap_lo, 0)
    span = hi - lo + 1 - gap
    offset = (rng.random(len(lo)) * span).astype(np.int64)
    value = lo + offset
    return np.where(value >= gap_lo, value + gap, value)


def incident_rows(
    rng: np.random.Generator,
    victim_pidx: np.ndarray,
    counts: np.ndarray,
    cats: np.ndarray,
    incident_day: np.ndarray,
    known_pleeg: np.ndarray,
    id_base: int,
) -> Rows:
    """SLOAANG rows for incidents with fixed effective dates.

    `incident_day` is the date the warehouse uses (PLEEGDATUM, or REGISTRATIEDATUM when that is
    unknown). Where PLEEGDATUM is unknown the registration is that same day; otherwise
    registration follows 0-30 days later (capped at 2023-12-31, never after the window).
    """
    n_inc = int(counts.sum())
    inc_victim = np.repeat(np.arange(len(counts)), counts)
    delay = np.minimum(rng.geometric(0.25, n_inc) - 1, 30)
    registration = np.where(
        known_pleeg, np.minimum(incident_day + delay, WINDOW_LAST_DAY), incident_day
    )
    pleeg = np.where(known_pleeg, incident_day, UNKNOWN_DATE)
    role_p = np.cumsum(list(ROLE_SPLIT.values()))
    role = (rng.random((n_inc, 1)) > role_p).sum(axis=1)  # 0 A, 1 S, 2 both

    inc, cat = incident_categories(rng, counts, cats)
    row_inc, feit = feitcode_rows(rng, inc, cat)
    n_roles = np.where(role[row_inc] == 2, 2, 1)
    row_inc2 = np.repeat(row_inc, n_roles)
    feit2 = np.repeat(feit, n_roles)
    role_rank = rank_within(n_roles)
    role_code = np.where(role[row_inc2] == 2, role_rank, role[row_inc2])  # 0 A, 1 S
    return {
        "pidx": victim_pidx[inc_victim][row_inc2].astype(np.int64),
        "rins": np.zeros(len(row_inc2), dtype=np.int8),
        "rin": np.zeros(len(row_inc2), dtype=np.int64),
        "incident_no": id_base + row_inc2.astype(np.int64),
        "role": role_code.astype(np.int8),
        "feit": feit2.astype(np.int64),
        "pleeg": pleeg[row_inc2].astype(np.int64),
        "registration": registration[row_inc2].astype(np.int64),
    }


def known_pleeg_flags(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) >= IMPERFECTIONS.unknown_pleegdatum_police


def unlinkable_companions(rng: np.random.Generator, rows: Rows) -> Rows:
    """Extra rows of unlinkable persons (RINPERSOONS B/X) on a few existing incidents."""
    n = len(rows.get("pidx", ()))
    pick = np.flatnonzero(rng.random(n) < IMPERFECTIONS.non_r_share)
    if len(pick) == 0:
        return {}
    extra = {k: v[pick].copy() for k, v in rows.items()}
    extra["rins"] = rng.integers(1, 3, len(pick)).astype(np.int8)
    extra["rin"] = rng.integers(0, 10**9, len(pick))
    extra["role"] = (1 - extra["role"]).astype(np.int8)
    return extra
