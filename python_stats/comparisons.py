"""Every significance test behind the report's footnotes, with effect sizes.

Three families per measure:
- `groups`: offenders and both control groups together (omnibus) and each pair;
- `profiles`: the four offender profiles together and each pair;
- `profile_vs_controls`: each profile with both control groups (omnibus) and against each.
Holm's adjustment is applied within the pairs of one family of one measure.

Disclosure control (python_stats.disclosure): a share test runs on the rounded table of counts,
so its statistic, p-value and effect size follow from counts that are shown anyway; a test is
shown only when every group it compares is shown in the tables (`TABLE_ROWS`), and numbers are
rounded once (`DIGITS`). A Holm-adjusted p-value is shown only when its whole family is.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules
from python_stats.effects import cohens_h, cramers_v, eta_squared, hedges_g
from python_stats.marts import CONTROLS, GROUPS, OFFENDERS, PROFILES, VICTIM_TYPES
from python_stats.measures import group_mask, numbers, true_count
from python_stats.rounding import half_up, significant
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
# the table row (figure, measure) that shows each group of a test, by (test measure, population)
TABLE_ROWS: dict[tuple[str, str], tuple[str, str]] = {
    ("has_lvb", "all"): ("A1", "lvb_pct"),
    ("is_victim", "all"): ("A2", "victim_any_2010_2023"),
    **{(f"victim_{t}", "victims"): ("A3", f"victim_type_pct_among_victims_{t}")
       for t in VICTIM_TYPES},
    ("recent_victim_3y", "eligible offenders"): ("A2", "victim_recent_3y_before_first_ht"),
    ("n_victimisations", "victims"): ("A2", "mean_victimisations_among_victims"),
    **{(m, "offenders"): ("profiles", f"mean_{m.replace('n_cases', 'cases')}")
       for m in CAREER_MEANS},
}
# significant digits of statistics and p-values, decimals of effect sizes and df
DIGITS = {"statistic": 3, "p_value": 2, "p_holm": 2, "effect_size": 2, "df": 1, "df2": 1}
NUMBER_COLUMNS = ("statistic", "df", "df2", "p_value", "p_se", "p_holm", "effect_size", "n")


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


class Split:
    """A population's rows by group, each group's rows selected once for all its tests."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.parts: dict[str, pd.DataFrame] = {}

    def column(self, group: str, measure: str) -> pd.Series:
        """One column of a group's rows (as measures.column_of)."""
        if group not in self.parts:
            self.parts[group] = self.frame[group_mask(self.frame, group)]
        return self.parts[group][measure]


def split_of(frame: pd.DataFrame | Split) -> Split:
    return frame if isinstance(frame, Split) else Split(frame)


def share_comparison(
    frame: pd.DataFrame | Split, measure: str, pop: str, family: str,
    groups: tuple[str, ...], seed: int, rules: DisclosureRules,
) -> Comparison:
    """Test equality of the share of `measure` across `groups`, on the rounded counts."""
    split = split_of(frame)
    rows = []
    for group in groups:
        k, n = rules.rounded_share(*true_count(split.column(group, measure)))
        rows.append([k, n - k])
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
    frame: pd.DataFrame | Split, measure: str, pop: str, family: str,
    groups: tuple[str, ...], rules: DisclosureRules,
) -> Comparison:
    """Test equality of the mean of `measure` across `groups` (Welch t or Welch ANOVA); n is
    the sum of the rounded group sizes."""
    split = split_of(frame)
    samples = [numbers(split.column(g, measure)) for g in groups]
    n = int(sum(rules.round(s.size) for s in samples))
    if len(groups) == 2:
        return Comparison(measure, pop, family, groups, welch_t(*samples),
                          hedges_g(*samples), "hedges_g", n)
    return Comparison(measure, pop, family, groups, welch_anova(samples),
                      eta_squared([s for s in samples if s.size]), "eta_squared", n)


def career_frame(careers: pd.DataFrame) -> pd.DataFrame:
    """Careers with the study_group column that `members` expects."""
    return careers.assign(study_group=OFFENDERS)


def all_comparisons(persons: pd.DataFrame, careers: pd.DataFrame, seed: int,
                    rules: DisclosureRules) -> list[Comparison]:
    """Every test, in a fixed order."""
    out: list[Comparison] = []
    located = {pop: Split(population(persons, pop))
               for pop in ("all", "victims", "eligible offenders")}
    for measure, pop in SHARE_MEASURES:
        for family in ("groups", "profiles", "profile_vs_controls"):
            for groups in family_groups(family):
                out.append(share_comparison(located[pop], measure, pop, family, groups, seed,
                                            rules))
    for groups in family_groups("profiles"):
        out.append(share_comparison(located["eligible offenders"], "recent_victim_3y",
                                    "eligible offenders", "profiles", groups, seed, rules))
    victims = located["victims"]
    for family in ("groups", "profiles", "profile_vs_controls"):
        for groups in family_groups(family):
            out.append(mean_comparison(victims, "n_victimisations", "victims", family, groups,
                                       rules))
    offenders = Split(career_frame(careers))
    for measure in CAREER_MEANS:
        for groups in family_groups("profiles"):
            out.append(mean_comparison(offenders, measure, "offenders", "profiles", groups,
                                       rules))
    return out


def shown_groups(table: pd.DataFrame) -> set[tuple[str, str, str]]:
    """(figure, measure, group) of every row the controlled tables show."""
    rows = table[~table["suppressed"].astype(bool)]
    return set(zip(rows["figure"], rows["measure"], rows["group"], strict=True))


def is_shown(c: Comparison, shown: set[tuple[str, str, str]]) -> bool:
    """True when every group the test compares is shown in the tables."""
    figure, measure = TABLE_ROWS[(c.measure, c.population)]
    return all((figure, measure, g) in shown for g in c.groups)


def test_row(c: Comparison, shown: bool) -> dict[str, object]:
    """One row of tests.csv before the Holm adjustment (numbers unrounded)."""
    row: dict[str, object] = {
        "measure": c.measure, "population": c.population, "family": c.family,
        "comparison": "pair" if c.is_pair else "omnibus", "groups": " vs ".join(c.groups),
        "test": c.outcome.test, "statistic": c.outcome.statistic, "df": c.outcome.df,
        "df2": c.outcome.df2, "p_value": c.outcome.p_value, "p_se": c.outcome.p_se,
        "p_holm": math.nan, "band": c.outcome.band, "band_holm": "",
        "effect_size": c.effect_size, "effect_kind": c.effect_kind,
        # whether Cochran's rule held (it chose the test); the expected counts themselves are
        # derived from margins and are not exported
        "expected_counts_at_least_5": (
            "" if math.isnan(c.outcome.min_expected) else bool(c.outcome.min_expected >= 5)
        ),
        "n": float(c.n), "suppressed": not shown,
    }
    if not shown:
        # the test chosen (or 'not testable') would tell something about the withheld counts
        row.update({k: math.nan for k in NUMBER_COLUMNS},
                   test="", band="", expected_counts_at_least_5="")
    return row


def tests_table(comparisons: list[Comparison], table: pd.DataFrame) -> pd.DataFrame:
    """tests.csv: one row per test, Holm-adjusted p-values within each family's pairs; tests
    resting on a group the tables suppress are suppressed."""
    shown = shown_groups(table)
    frame = pd.DataFrame([test_row(c, is_shown(c, shown)) for c in comparisons])
    if frame.empty:
        return frame
    pairs = frame["comparison"] == "pair"
    raw = pd.Series([c.outcome.p_value for c in comparisons], index=frame.index)
    families = frame[pairs].groupby(["measure", "population", "family"], sort=False).groups
    for idx in families.values():
        if frame.loc[idx, "suppressed"].any():
            continue
        adjusted = holm(raw[idx].tolist())
        frame.loc[idx, "p_holm"] = adjusted
        frame.loc[idx, "band_holm"] = [significance_band(p) for p in adjusted]
    for column, digits in DIGITS.items():
        if column.startswith("df") or column == "effect_size":
            frame[column] = [half_up(float(v), digits) for v in frame[column]]
        else:
            frame[column] = [significant(float(v), digits) for v in frame[column]]
    frame["p_se"] = [significant(float(v), 2) for v in frame["p_se"]]
    return frame
