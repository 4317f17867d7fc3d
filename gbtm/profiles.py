"""Naming trajectory groups after four offender profiles, by shape.

Groups are named by their fitted curve, never by their index. The four names come in the order
lowest level, early peak, late peak, highest level (by default the study's profiles seed, whose
sort order is that order: incidenteel, vroeg_piek, laat_piek, continu). The group with the lowest
mean expected count over the age range takes the first name; the group with the highest takes
the last; every other group takes the early-peak name when its curve peaks before
``EARLY_PEAK_BEFORE`` and the late-peak name from that age on. With one group the curve's peak
age decides alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: The boundary between the published peak-age ranges (15-22 vroeg piek, 22-33 laat piek).
EARLY_PEAK_BEFORE = 22.0
#: A group's peak-age range: the ages where its expected count is at least this share of its peak.
PEAK_RANGE_SHARE = 0.5
#: Ages where a group has fewer (posterior-weighted) persons observed do not shape its name.
MIN_WEIGHT = 10.0


def group_shapes(curves: pd.DataFrame) -> pd.DataFrame:
    """Per group of one model: peak age, peak level, mean level and peak-age range.

    With a ``weight`` column (the group's posterior-weighted persons observed at each age) the
    shape is read only where the group has at least MIN_WEIGHT persons, and the level is the
    weighted mean: the expected cases per year of the group's members at the ages they were
    observed, so a polynomial running off where the group has no data does not decide the name.
    """
    rows = []
    for group, c in curves.groupby("group", sort=True):
        c = c.sort_values("age")
        if "weight" in c.columns and (c["weight"] >= MIN_WEIGHT).any():
            c = c[c["weight"] >= MIN_WEIGHT]
        exp = c["expected"].to_numpy()
        ages = c["age"].to_numpy()
        weight = c["weight"].to_numpy() if "weight" in c.columns else np.ones(len(c))
        top = int(np.argmax(exp))
        near = ages[exp >= PEAK_RANGE_SHARE * exp[top]]
        rows.append(
            {
                "group": int(group),
                "peak_age": float(ages[top]),
                "peak_expected": float(exp[top]),
                "mean_expected": float(np.average(exp, weights=weight)),
                "peak_range_from": float(near.min()),
                "peak_range_to": float(near.max()),
            }
        )
    return pd.DataFrame(rows)


def study_profiles() -> tuple[str, ...]:
    """The study's four profile names from its profiles seed, in the seed's sort order."""
    from blsu_core.project import codes

    return codes("profiles")


def name_groups(shapes: pd.DataFrame, profiles: Sequence[str] | None = None) -> dict[int, str]:
    """Profile name of every group (see the module docstring for the rule); `profiles` are the
    four names (lowest level, early peak, late peak, highest level), by default the study's."""
    names_in_order = tuple(study_profiles() if profiles is None else profiles)
    if len(names_in_order) != 4:
        raise ValueError(
            "profiles: four names are needed (lowest level, early peak, late peak, highest "
            f"level), got {len(names_in_order)}: {', '.join(names_in_order)}")
    lowest, early_peak, late_peak, highest = names_in_order
    by_level = shapes.sort_values("mean_expected")["group"].tolist()
    names: dict[int, str] = {}
    if len(by_level) >= 2:
        names[by_level[0]] = lowest
        names[by_level[-1]] = highest
    for _, row in shapes.iterrows():
        g = int(row["group"])
        if g not in names:
            names[g] = early_peak if row["peak_age"] < EARLY_PEAK_BEFORE else late_peak
    return names
