"""The published measures: shares, ratios, means and counts per group and profile.

Every estimate carries its 95% interval and the unrounded cells it rests on, so that disclosure
control (python_stats.disclosure) can suppress and round it before anything is written. Shares,
ratios and their intervals are computed from the rounded counts (rule 3 of the disclosure rule);
means from the persons' values.
Values are in the report's units: percentages 0-100, ratios, means in years, cases or counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules
from python_stats.effects import (
    Interval,
    count_interval,
    mean_interval,
    prevalence_ratio,
    wilson_interval,
)
from python_stats.marts import GROUPS, PROFILES, VICTIM_TYPES

REFERENCE_GROUP = "noncriminal_control"
BOOTSTRAP_RESAMPLES = 2000
ALL_GROUPS = (*GROUPS, *PROFILES)


@dataclass(frozen=True)
class Estimate:
    """One reproduced number before disclosure control."""

    figure: str
    measure: str
    group: str
    unit: str
    interval: Interval
    n: int | None
    n_events: int | None
    cells: tuple[int, ...] = field(default_factory=tuple)
    note: str = ""


def members(persons: pd.DataFrame, group: str) -> pd.DataFrame:
    """Rows of a study group (`blsu`, a control group) or of one offender profile."""
    return GroupRows(persons).rows(group)


class GroupRows:
    """The rows of each study group and offender profile of one frame, located once.

    Selecting a group compares the text columns `study_group` and `profile` of every row; the
    statistics select the same groups of the same frames hundreds of times, so the row masks
    are computed once per frame and only the columns a measure needs are filtered by them.
    Filtering keeps the frame's row order, so the selected values are those of `members`.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        study = frame["study_group"]
        self.masks = {g: (study == g).to_numpy(dtype=bool, na_value=False) for g in GROUPS}
        profile = frame["profile"]
        for name in PROFILES:
            is_profile = (profile == name).to_numpy(dtype=bool, na_value=False)
            self.masks[name] = self.masks["blsu"] & is_profile
        self.selected: dict[str, pd.DataFrame] = {}
        self.flag_arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.number_arrays: dict[str, np.ndarray] = {}

    def mask(self, group: str) -> np.ndarray:
        """The boolean row mask of a group or profile."""
        if group not in self.masks:
            raise ValueError(f"unknown group {group!r}; expected one of {', '.join(ALL_GROUPS)}")
        return self.masks[group]

    def rows(self, group: str) -> pd.DataFrame:
        """The frame's rows of a group or profile (selected once, then reused)."""
        if group not in self.selected:
            self.selected[group] = self.frame[self.mask(group)]
        return self.selected[group]

    def flags(self, group: str, column: str) -> tuple[int, int]:
        """(rows of the group where `column` is true, rows where it is false); nulls left out.

        The same counts as `flag_count(members(frame, group), column)`, from arrays of the
        whole column that are prepared once.
        """
        present, truth = self._flag_arrays(column)
        rows = self.mask(group) & present
        yes = int(np.count_nonzero(rows & truth))
        return yes, int(np.count_nonzero(rows)) - yes

    def numbers(self, group: str, column: str) -> np.ndarray:
        """The non-null numeric values of `column` for a group, in row order, as floats.

        The values of `pd.to_numeric(members(frame, group)[column], errors="coerce")
        .dropna().to_numpy(float)`; text that is not a number counts as null.
        """
        values = self._number_array(column)
        return values[self.mask(group) & ~np.isnan(values)]

    def _flag_arrays(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(row is not null, row is true) for the whole column, prepared on first use."""
        if column not in self.flag_arrays:
            series = self.frame[column]
            present = series.notna().to_numpy(dtype=bool)
            truth = np.zeros(len(series), dtype=bool)
            truth[present] = series.dropna().astype(bool).to_numpy(dtype=bool)
            self.flag_arrays[column] = (present, truth)
        return self.flag_arrays[column]

    def _number_array(self, column: str) -> np.ndarray:
        """The whole column as floats, NaN where null or not a number, prepared on first use."""
        if column not in self.number_arrays:
            numeric = pd.to_numeric(self.frame[column], errors="coerce")
            self.number_arrays[column] = numeric.to_numpy(dtype=float, na_value=np.nan)
        return self.number_arrays[column]


def group_rows(persons: pd.DataFrame | GroupRows) -> GroupRows:
    """The located groups of a frame (a GroupRows is passed through)."""
    return persons if isinstance(persons, GroupRows) else GroupRows(persons)


def flag_count(frame: pd.DataFrame, column: str) -> tuple[int, int]:
    """(number of rows where `column` is true, number of non-null rows)."""
    values = frame[column].dropna().astype(bool)
    return int(values.sum()), int(values.size)


def share_estimate(
    figure: str, measure: str, group: str, frame: pd.DataFrame, column: str,
    rules: DisclosureRules, unit: str = "pct",
) -> Estimate:
    """Percentage of non-null rows of `frame` where `column` is true, Wilson interval, both
    from the rounded counts; the cells are the numerator and the complement."""
    count, n = flag_count(frame, column)
    ci = wilson_interval(*rules.rounded_share(count, n))
    return Estimate(figure, measure, group, unit, scale(ci, 100.0), n, count,
                    cells=(count, n - count), note=ci.note)


def scale(ci: Interval, factor: float) -> Interval:
    """The interval in other units (e.g. share to percentage)."""
    return Interval(ci.estimate * factor, ci.low * factor, ci.high * factor, ci.note)


def count_estimate(figure: str, measure: str, group: str, count: int, n: int,
                   rules: DisclosureRules) -> Estimate:
    """A count out of n persons; its interval is the share's Wilson interval times n (rounded
    counts)."""
    ci = count_interval(*rules.rounded_share(count, n))
    return Estimate(figure, measure, group, "persons", ci, n, count, cells=(count, n - count),
                    note=ci.note)


def mean_estimate(
    figure: str, measure: str, group: str, values: pd.Series, unit: str
) -> Estimate:
    """Mean of the non-null values with a t interval."""
    clean = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    ci = mean_interval(clean)
    return Estimate(figure, measure, group, unit, ci, clean.size, None, cells=(clean.size,),
                    note=ci.note)


def ratio_estimate(
    figure: str, measure: str, group: str, frame: pd.DataFrame, ref: pd.DataFrame,
    rules: DisclosureRules,
) -> Estimate:
    """Prevalence ratio of has_lvb in `frame` against `ref`, with the log-scale interval, from
    the rounded counts; the cells are both groups' cases and non-cases."""
    cases, n = flag_count(frame, "has_lvb")
    ref_cases, ref_n = flag_count(ref, "has_lvb")
    ci = prevalence_ratio(*rules.rounded_share(cases, n), *rules.rounded_share(ref_cases, ref_n))
    return Estimate(figure, measure, group, "ratio", ci, n, cases,
                    cells=(cases, n - cases, ref_cases, ref_n - ref_cases), note=ci.note)


def sample_estimates(persons: pd.DataFrame | GroupRows, rules: DisclosureRules
                     ) -> list[Estimate]:
    """Group sizes (no interval: fixed by design) and profile shares of the offenders."""
    groups = group_rows(persons)
    out = []
    for group in GROUPS:
        n = int(groups.mask(group).sum())
        out.append(Estimate("sample", "n", group, "persons",
                            Interval(rules.round(n), math.nan, math.nan), n, None, cells=(n,)))
    offenders = groups.rows("blsu")
    for profile in PROFILES:
        flags = offenders.assign(_in=offenders["profile"] == profile)
        out.append(share_estimate("profiles", "share", profile, flags, "_in", rules,
                                  "pct_of_blsu"))
    return out


def lvb_estimates(persons: pd.DataFrame | GroupRows, rules: DisclosureRules) -> list[Estimate]:
    """Figure A1: LVB shares and ratios against the non-criminal controls (and criminal ones)."""
    groups = group_rows(persons)
    ref = groups.rows(REFERENCE_GROUP)
    out = []
    for group in ALL_GROUPS:
        frame = groups.rows(group)
        out.append(share_estimate("A1", "lvb_pct", group, frame, "has_lvb", rules))
        if group == REFERENCE_GROUP:
            cases, n = flag_count(frame, "has_lvb")
            out.append(Estimate("A1", "lvb_ratio_vs_noncriminal", group, "ratio",
                                Interval(1.0, math.nan, math.nan), n, cases,
                                cells=(cases, n - cases), note="reference group"))
        else:
            out.append(ratio_estimate("A1", "lvb_ratio_vs_noncriminal", group, frame, ref,
                                      rules))
    out.append(ratio_estimate("A1", "lvb_ratio_vs_criminal", "blsu", groups.rows("blsu"),
                              groups.rows("criminal_control"), rules))
    return out


def victim_estimates(persons: pd.DataFrame | GroupRows, rules: DisclosureRules
                     ) -> list[Estimate]:
    """Figure A2: any victimisation, recent victimisation, victims and their mean count."""
    groups = group_rows(persons)
    out = []
    for group in ALL_GROUPS:
        frame = groups.rows(group)
        out.append(share_estimate("A2", "victim_any_2010_2023", group, frame, "is_victim",
                                  rules))
        victims, n = flag_count(frame, "is_victim")
        out.append(count_estimate("A2", "victims_n", group, victims, n, rules))
        among = frame[frame["is_victim"].astype(bool)]
        out.append(mean_estimate("A2", "mean_victimisations_among_victims", group,
                                 among["n_victimisations"], "count"))
    offenders = groups.rows("blsu")
    eligible_n, n = flag_count(offenders, "recent_victim_eligible")
    out.append(count_estimate("A2", "recent_eligible_n", "blsu", eligible_n, len(offenders),
                              rules))
    out.append(share_estimate("A2", "recent_eligible_share", "blsu",
                              offenders.assign(_e=offenders["recent_victim_eligible"]
                                               .fillna(False).astype(bool)),
                              "_e", rules, "pct_of_blsu"))
    for group in ("blsu", *PROFILES):
        frame = groups.rows(group)
        eligible = frame[frame["recent_victim_eligible"].fillna(False).astype(bool)]
        out.append(share_estimate("A2", "victim_recent_3y_before_first_ht", group, eligible,
                                  "recent_victim_3y", rules))
    return out


def victim_type_estimates(persons: pd.DataFrame | GroupRows, rules: DisclosureRules
                          ) -> list[Estimate]:
    """Figure A3: share of victims with at least one victimisation of each offence type."""
    groups = group_rows(persons)
    out = []
    for group in ALL_GROUPS:
        frame = groups.rows(group)
        victims = frame[frame["is_victim"].astype(bool)]
        for kind in VICTIM_TYPES:
            out.append(share_estimate("A3", f"victim_type_pct_among_victims_{kind}", group,
                                      victims, f"victim_{kind}", rules))
    return out


def career_estimates(careers: pd.DataFrame, seed: int, rules: DisclosureRules
                     ) -> list[Estimate]:
    """Profile measures from fct_offender_careers: case shares, ages, cases before first HT."""
    out = []
    shares = case_share_intervals(careers, seed, rules)
    for profile in PROFILES:
        frame = careers[careers["profile"] == profile]
        n = len(frame)
        cases = int(frame["n_cases"].fillna(0).sum())
        out.append(Estimate("profiles", "share_of_all_cases", profile, "pct_of_cases",
                            shares[profile], n, None, cells=(n,),
                            note=f"bootstrap interval, {BOOTSTRAP_RESAMPLES} resamples"
                            if cases else "no cases"))
        for measure, column, unit in (
            ("mean_age_first_offence", "age_first_offence", "years"),
            ("mean_age_first_ht", "age_first_ht", "years"),
            ("mean_cases_before_first_ht", "n_cases_before_first_ht", "cases"),
        ):
            out.append(mean_estimate("profiles", measure, profile, frame[column], unit))
        out.append(share_estimate("profiles", "starts_with_ht_pct", profile,
                                  frame, "starts_with_ht", rules))
    out.append(share_estimate("profiles", "starts_with_ht_pct", "blsu", careers,
                              "starts_with_ht", rules))
    return out


def case_share_intervals(careers: pd.DataFrame, seed: int, rules: DisclosureRules
                         ) -> dict[str, Interval]:
    """Each profile's share of all offenders' cases, with a percentile bootstrap interval.

    The share is a ratio of sums over persons, so no closed-form interval applies; offenders
    are resampled with replacement (seeded) and the 2.5th and 97.5th percentiles are taken.
    The estimate is the share of the profiles' rounded case totals.
    """
    cases = careers["n_cases"].fillna(0).to_numpy(dtype=float)
    profile = careers["profile"].to_numpy()
    total = cases.sum()
    rng = np.random.default_rng(seed)
    idx = None
    if len(cases):
        idx = rng.integers(0, len(cases), size=(BOOTSTRAP_RESAMPLES, len(cases)))
    out = {}
    resampled_total = cases[idx].sum(axis=1) if idx is not None else None
    for name in PROFILES:
        mine = np.where(profile == name, cases, 0.0)
        if total <= 0 or idx is None:
            out[name] = Interval(math.nan, math.nan, math.nan, "no cases")
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = mine[idx].sum(axis=1) / resampled_total
        low, high = np.nanpercentile(boot, [2.5, 97.5])
        rounded_total = sum(rules.round(cases[profile == p].sum()) for p in PROFILES)
        out[name] = Interval(100 * rules.round(mine.sum()) / rounded_total, 100 * low, 100 * high)
    return out


def all_estimates(persons: pd.DataFrame, careers: pd.DataFrame, seed: int,
                  rules: DisclosureRules) -> list[Estimate]:
    """Every estimate the results hold, in a fixed order."""
    groups = GroupRows(persons)
    return [
        *sample_estimates(groups, rules),
        *career_estimates(careers, seed, rules),
        *lvb_estimates(groups, rules),
        *victim_estimates(groups, rules),
        *victim_type_estimates(groups, rules),
    ]

