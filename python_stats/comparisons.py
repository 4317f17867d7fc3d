"""Every significance test behind the report's footnotes, with effect sizes.

Three families per measure:
- `groups`: offenders and both control groups together (omnibus) and each pair;
- `profiles`: the four offender profiles together and each pair;
- `profile_vs_controls`: each profile with both control groups (omnibus) and against each.
Holm's adjustment is applied within the pairs of one family of one measure.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules, round_count
from python_stats.effects import cohens_h, cramers_v, eta_squared, hedges_g
from python_stats.marts import CONTROLS, GROUPS, PROFILES, VICTIM_TYPES
from python_stats.measures import GroupRows, group_rows
from python_stats.significance import (
    Outcome,
    holm,
    share_test,
    significance_band,
    welch_anova,
    welch_t,
)

SHARE_MEASURES: tuple[tuple[str, str], ...] = (
    ("has_lvb", "all"),
    ("is_victim", "all"),
    *((f"victim_{t}", "victims") for t in VICTIM_TYPES),
)
CAREER_MEANS = ("age_first_offence", "age_first_ht", "n_cases_before_first_ht")


@dataclass(frozen=True)
class Comparison:
    """One test: which measure, which population and which groups."""

    measure: str
    population: str
    family: str
    groups: tuple[str, ...]
    outcome: Outcome
    effect_size: float
    effect_kind: str
    n: int

    @property
    def is_pair(self) -> bool:
        return len(self.groups) == 2


def population(persons: pd.DataFrame, name: str) -> pd.DataFrame:
    """The persons a test is about: everyone, victims only, or eligible offenders."""
    if name == "all":
        return persons
    if name == "victims":
        return persons[persons["is_victim"].astype(bool)]
    if name == "eligible offenders":
        return persons[persons["recent_victim_eligible"].fillna(False).astype(bool)]
    raise ValueError(f"unknown population {name!r}")


def family_groups(family: str) -> list[tuple[str, ...]]:
    """The omnibus group set(s) of a family, followed by its pairs."""
    if family == "groups":
        return [GROUPS, *combinations(GROUPS, 2)]
    if family == "profiles":
        return [PROFILES, *combinations(PROFILES, 2)]
    if family == "profile_vs_controls":
        omnibus = [(p, *CONTROLS) for p in PROFILES]
        pairs = [(p, c) for p in PROFILES for c in CONTROLS]
        return [*omnibus, *pairs]
    raise ValueError(f"unknown family {family!r}")


def seed_for(seed: int, label: str) -> int:
    """A per-test seed derived from the run seed and the test's label (stable across runs)."""
    return (seed + zlib.crc32(label.encode("utf-8"))) % (2**32)


def share_comparison(
    frame: pd.DataFrame | GroupRows, measure: str, pop: str, family: str,
    groups: tuple[str, ...], seed: int,
) -> Comparison:
    """Test equality of the share of `measure` across `groups`."""
    located = group_rows(frame)
    rows = []
    for group in groups:
        rows.append(list(located.flags(group, measure)))
    table = np.asarray(rows, dtype=np.int64)
    label = f"{measure}|{pop}|{'|'.join(groups)}"
    outcome = share_test(table, seed_for(seed, label))
    totals = table.sum(axis=1)
    if len(groups) == 2:
        shares = [r[0] / t if t else math.nan for r, t in zip(table, totals, strict=True)]
        effect, kind = cohens_h(shares[0], shares[1]), "cohen_h"
    else:
        kept = table[totals > 0]
        kept = kept[:, kept.sum(axis=0) > 0]
        ok = kept.shape[0] >= 2 and kept.shape[1] >= 2
        # the omnibus test ran on this same table (empty margins dropped): reuse its statistic
        known = outcome.statistic if outcome.test == "chi-square" else None
        effect, kind = (cramers_v(kept, known) if ok else math.nan), "cramer_v"
    return Comparison(measure, pop, family, groups, outcome, effect, kind, int(table.sum()))


def mean_comparison(
    frame: pd.DataFrame | GroupRows, measure: str, pop: str, family: str,
    groups: tuple[str, ...],
) -> Comparison:
    """Test equality of the mean of `measure` across `groups` (Welch t or Welch ANOVA)."""
    located = group_rows(frame)
    samples = [located.numbers(g, measure) for g in groups]
    n = int(sum(s.size for s in samples))
    if len(groups) == 2:
        return Comparison(measure, pop, family, groups, welch_t(*samples),
                          hedges_g(*samples), "hedges_g", n)
    return Comparison(measure, pop, family, groups, welch_anova(samples),
                      eta_squared([s for s in samples if s.size]), "eta_squared", n)


def career_frame(careers: pd.DataFrame) -> pd.DataFrame:
    """Careers with the study_group column that `members` expects."""
    return careers.assign(study_group="blsu")


def all_comparisons(persons: pd.DataFrame, careers: pd.DataFrame, seed: int) -> list[Comparison]:
    """Every test, in a fixed order."""
    out: list[Comparison] = []
    located = {pop: GroupRows(population(persons, pop))
               for pop in ("all", "victims", "eligible offenders")}
    for measure, pop in SHARE_MEASURES:
        for family in ("groups", "profiles", "profile_vs_controls"):
            for groups in family_groups(family):
                out.append(share_comparison(located[pop], measure, pop, family, groups, seed))
    for groups in family_groups("profiles"):
        out.append(share_comparison(located["eligible offenders"], "recent_victim_3y",
                                    "eligible offenders", "profiles", groups, seed))
    victims = located["victims"]
    for family in ("groups", "profiles", "profile_vs_controls"):
        for groups in family_groups(family):
            out.append(mean_comparison(victims, "n_victimisations", "victims", family, groups))
    offenders = GroupRows(career_frame(careers))
    for measure in CAREER_MEANS:
        for groups in family_groups("profiles"):
            out.append(mean_comparison(offenders, measure, "offenders", "profiles", groups))
    return out


def tests_table(comparisons: list[Comparison], rules: DisclosureRules) -> pd.DataFrame:
    """tests.csv: one row per test, Holm-adjusted p-values within each family's pairs."""
    rows = []
    for c in comparisons:
        rows.append({
            "measure": c.measure,
            "population": c.population,
            "family": c.family,
            "comparison": "pair" if c.is_pair else "omnibus",
            "groups": " vs ".join(c.groups),
            "test": c.outcome.test,
            "statistic": c.outcome.statistic,
            "df": c.outcome.df,
            "df2": c.outcome.df2,
            "p_value": c.outcome.p_value,
            "p_holm": math.nan,
            "band": significance_band(c.outcome.p_value),
            "band_holm": "",
            "effect_size": c.effect_size,
            "effect_kind": c.effect_kind,
            # whether Cochran's rule held (it chose the test); the expected counts themselves are
            # derived from margins and are not exported
            "expected_counts_at_least_5": (
                "" if math.isnan(c.outcome.min_expected) else bool(c.outcome.min_expected >= 5)
            ),
            "n": round_count(c.n, rules.round_base),
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    pairs = frame["comparison"] == "pair"
    families = frame[pairs].groupby(["measure", "population", "family"], sort=False).groups
    for idx in families.values():
        adjusted = holm(frame.loc[idx, "p_value"].tolist())
        frame.loc[idx, "p_holm"] = adjusted
        frame.loc[idx, "band_holm"] = [significance_band(p) for p in adjusted]
    return frame
