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
from fractions import Fraction

import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules, MagnitudeVerdict
from python_stats.effects import (
    Interval,
    count_interval,
    mean_interval,
    prevalence_ratio,
    wilson_interval,
)
from python_stats.magnitudes import TABLE_MAGNITUDES, case_shares, mean_of, table_values
from python_stats.marts import GROUPS, OFFENDERS, PROFILES, VICTIM_TYPES
from python_stats.rounding import share

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
    exact: Fraction | None = None  # the estimate as an exact rational, where it is one
    magnitude: MagnitudeVerdict | None = None  # a magnitude's verdict on the persons' values


def group_mask(persons: pd.DataFrame, group: str) -> pd.Series:
    """Which rows belong to a study group (`blsu`, a control group) or an offender profile."""
    if group in GROUPS:
        mask = persons["study_group"] == group
    elif group in PROFILES:
        mask = (persons["study_group"] == OFFENDERS) & (persons["profile"] == group)
    else:
        raise ValueError(f"unknown group {group!r}; expected one of {', '.join(ALL_GROUPS)}")
    return mask.fillna(False).astype(bool)


def members(persons: pd.DataFrame, group: str) -> pd.DataFrame:
    """Rows of a study group (`blsu`, a control group) or of one offender profile."""
    return persons[group_mask(persons, group)]


def column_of(persons: pd.DataFrame, group: str, column: str) -> pd.Series:
    """One column of a group's rows."""
    return persons.loc[group_mask(persons, group), column]


def numbers(values: pd.Series) -> np.ndarray:
    """The non-null numeric values as floats; text that is not a number is null."""
    return pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)


def flag_count(frame: pd.DataFrame, column: str) -> tuple[int, int]:
    """(number of rows where `column` is true, number of non-null rows)."""
    return true_count(frame[column])


def true_count(flags: pd.Series) -> tuple[int, int]:
    """(number of true values, number of non-null values)."""
    values = flags.dropna().astype(bool)
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
                    cells=(count, n - count), note=ci.note,
                    exact=share(*rules.rounded_share(count, n)))


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


def mean_estimate(figure: str, measure: str, group: str, values: np.ndarray, unit: str,
                  rules: DisclosureRules) -> Estimate:
    """Mean of the persons' values with a t interval and the magnitude rule's verdict; the
    mean of whole numbers as an exact rational."""
    clean = np.asarray(values, dtype=float)
    ci = mean_interval(clean)
    mean = mean_of(clean)
    exact = mean if isinstance(mean, Fraction) else None
    return Estimate(figure, measure, group, unit, ci, clean.size, None, cells=(clean.size,),
                    note=ci.note, exact=exact, magnitude=rules.magnitude(clean))


def ratio_estimate(
    figure: str, measure: str, group: str, frame: pd.DataFrame, ref: pd.DataFrame,
    rules: DisclosureRules,
) -> Estimate:
    """Prevalence ratio of has_lvb in `frame` against `ref`, with the log-scale interval, from
    the rounded counts; the cells are both groups' cases and non-cases."""
    cases, n = flag_count(frame, "has_lvb")
    ref_cases, ref_n = flag_count(ref, "has_lvb")
    (k, m), (ref_k, ref_m) = rules.rounded_share(cases, n), rules.rounded_share(ref_cases, ref_n)
    ci = prevalence_ratio(k, m, ref_k, ref_m)
    exact = Fraction(k * ref_m, m * ref_k) if m and ref_k and not math.isnan(ci.estimate) \
        else None
    return Estimate(figure, measure, group, "ratio", ci, n, cases,
                    cells=(cases, n - cases, ref_cases, ref_n - ref_cases), note=ci.note,
                    exact=exact)


def sample_estimates(persons: pd.DataFrame, rules: DisclosureRules
                     ) -> list[Estimate]:
    """Group sizes (no interval: fixed by design) and profile shares of the offenders."""
    out = []
    for group in GROUPS:
        n = len(members(persons, group))
        out.append(Estimate("sample", "n", group, "persons",
                            Interval(rules.round(n), math.nan, math.nan), n, None, cells=(n,)))
    offenders = members(persons, OFFENDERS)
    for profile in PROFILES:
        flags = offenders.assign(_in=offenders["profile"] == profile)
        out.append(share_estimate("profiles", "share", profile, flags, "_in", rules,
                                  "pct_of_blsu"))
    return out


def lvb_estimates(persons: pd.DataFrame, rules: DisclosureRules) -> list[Estimate]:
    """Figure A1: LVB shares and ratios against the non-criminal controls (and criminal ones)."""
    ref = members(persons, REFERENCE_GROUP)
    out = []
    for group in ALL_GROUPS:
        frame = members(persons, group)
        out.append(share_estimate("A1", "lvb_pct", group, frame, "has_lvb", rules))
        if group == REFERENCE_GROUP:
            cases, n = flag_count(frame, "has_lvb")
            out.append(Estimate("A1", "lvb_ratio_vs_noncriminal", group, "ratio",
                                Interval(1.0, math.nan, math.nan), n, cases,
                                cells=(cases, n - cases), note="reference group"))
        else:
            out.append(ratio_estimate("A1", "lvb_ratio_vs_noncriminal", group, frame, ref,
                                      rules))
    out.append(ratio_estimate("A1", "lvb_ratio_vs_criminal", OFFENDERS, members(persons, OFFENDERS),
                              members(persons, "criminal_control"), rules))
    return out


def victim_estimates(persons: pd.DataFrame, rules: DisclosureRules
                     ) -> list[Estimate]:
    """Figure A2: any victimisation, recent victimisation, victims and their mean count."""
    out = []
    for group in ALL_GROUPS:
        frame = members(persons, group)
        out.append(share_estimate("A2", "victim_any_2010_2023", group, frame, "is_victim",
                                  rules))
        victims, n = flag_count(frame, "is_victim")
        out.append(count_estimate("A2", "victims_n", group, victims, n, rules))
        out.append(mean_estimate(
            "A2", "mean_victimisations_among_victims", group,
            table_values(persons, persons, "A2", "mean_victimisations_among_victims", group),
            "count", rules))
    offenders = members(persons, OFFENDERS)
    eligible_n, n = flag_count(offenders, "recent_victim_eligible")
    out.append(count_estimate("A2", "recent_eligible_n", OFFENDERS, eligible_n, len(offenders),
                              rules))
    out.append(share_estimate("A2", "recent_eligible_share", OFFENDERS,
                              offenders.assign(_e=offenders["recent_victim_eligible"]
                                               .fillna(False).astype(bool)),
                              "_e", rules, "pct_of_blsu"))
    for group in (OFFENDERS, *PROFILES):
        frame = members(persons, group)
        eligible = frame[frame["recent_victim_eligible"].fillna(False).astype(bool)]
        out.append(share_estimate("A2", "victim_recent_3y_before_first_ht", group, eligible,
                                  "recent_victim_3y", rules))
    return out


def victim_type_estimates(persons: pd.DataFrame, rules: DisclosureRules
                          ) -> list[Estimate]:
    """Figure A3: share of victims with at least one victimisation of each offence type."""
    out = []
    for group in ALL_GROUPS:
        frame = members(persons, group)
        victims = frame[frame["is_victim"].astype(bool)]
        for kind in VICTIM_TYPES:
            out.append(share_estimate("A3", f"victim_type_pct_among_victims_{kind}", group,
                                      victims, f"victim_{kind}", rules))
    return out


def career_estimates(careers: pd.DataFrame, seed: int, rules: DisclosureRules
                     ) -> list[Estimate]:
    """Profile measures from fct_offender_careers: case shares, ages, cases before first HT."""
    out = []
    shares, exact = case_share_intervals(careers, seed, rules)
    for profile in PROFILES:
        frame = careers[careers["profile"] == profile]
        n = len(frame)
        cases = table_values(careers, careers, "profiles", "share_of_all_cases", profile)
        out.append(Estimate("profiles", "share_of_all_cases", profile, "pct_of_cases",
                            shares[profile], n, None, cells=(n,),
                            note=f"bootstrap interval, {BOOTSTRAP_RESAMPLES} resamples"
                            if cases.sum() else "no cases", exact=exact.get(profile),
                            magnitude=rules.magnitude(
                                cases, TABLE_MAGNITUDES[("profiles", "share_of_all_cases")].what)))
        for measure, unit in (("mean_age_first_offence", "years"),
                              ("mean_age_first_ht", "years"),
                              ("mean_cases_before_first_ht", "cases")):
            out.append(mean_estimate("profiles", measure, profile,
                                     table_values(careers, careers, "profiles", measure,
                                                  profile), unit, rules))
        out.append(share_estimate("profiles", "starts_with_ht_pct", profile,
                                  frame, "starts_with_ht", rules))
    out.append(share_estimate("profiles", "starts_with_ht_pct", OFFENDERS, careers,
                              "starts_with_ht", rules))
    return out


def case_share_intervals(careers: pd.DataFrame, seed: int, rules: DisclosureRules
                         ) -> tuple[dict[str, Interval], dict[str, Fraction]]:
    """Each profile's share of all offenders' cases, with a percentile bootstrap interval, and
    the share as an exact rational.

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
    out, exact = {}, {}
    resampled_total = cases[idx].sum(axis=1) if idx is not None else None
    shares = case_shares(careers, rules)
    for name in PROFILES:
        mine = np.where(profile == name, cases, 0.0)
        if total <= 0 or idx is None:
            out[name] = Interval(math.nan, math.nan, math.nan, "no cases")
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = mine[idx].sum(axis=1) / resampled_total
        low, high = np.nanpercentile(boot, [2.5, 97.5])
        exact[name] = shares[name]
        if exact[name] is None:
            out[name] = Interval(math.nan, math.nan, math.nan, "no cases")
            continue
        out[name] = Interval(float(exact[name]), 100 * low, 100 * high)
    return out, exact


def all_estimates(persons: pd.DataFrame, careers: pd.DataFrame, seed: int,
                  rules: DisclosureRules) -> list[Estimate]:
    """Every estimate the results hold, in a fixed order."""
    return [
        *sample_estimates(persons, rules),
        *career_estimates(careers, seed, rules),
        *lvb_estimates(persons, rules),
        *victim_estimates(persons, rules),
        *victim_type_estimates(persons, rules),
    ]

