"""Matching balance: standardised mean differences between offenders and each control group.

As MatchIt/cobalt report it for the effect on the treated (offenders): for continuous covariates
the difference in means divided by the offenders' standard deviation, for binary covariates
(sex, each migration-generation dummy) the raw difference in proportions (cobalt's default
`binary = "raw"`), with the variance ratio for continuous covariates. Sex and birth year are
matching keys and should balance exactly; birth month and migration generation are not matched
on and show what matching left unbalanced.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules, MagnitudeVerdict, secondary_suppression
from python_stats.magnitudes import squared_deviations
from python_stats.marts import CONTROLS, OFFENDERS
from python_stats.rounding import half_up, share

MIGRATION_LEVELS = ("0", "1", "2", "unknown")


def covariates(persons: pd.DataFrame) -> pd.DataFrame:
    """Balance covariates per person: continuous years/months and binary dummies."""
    out = pd.DataFrame(index=persons.index)
    out["birth_year"] = pd.to_numeric(persons["birth_year"], errors="coerce")
    if "birth_month" in persons:
        out["birth_month"] = pd.to_numeric(persons["birth_month"], errors="coerce")
    out["sex_woman"] = (persons["sex"].astype("string") == "2").astype(float)
    if "migration_generation" in persons:
        gen = persons["migration_generation"].astype("string").fillna("unknown")
        gen = gen.where(gen.isin(MIGRATION_LEVELS[:3]), "unknown")
        for level in MIGRATION_LEVELS:
            out[f"migration_generation_{level}"] = (gen == level).astype(float)
    return out


def is_binary(name: str) -> bool:
    """Binary covariates are the sex and migration dummies."""
    return name.startswith(("sex_", "migration_generation_"))


def balance_row(name: str, treated: pd.Series, control: pd.Series,
                rules: DisclosureRules) -> dict[str, object]:
    """SMD (continuous: by the offenders' SD; binary: raw difference) and variance ratio.

    Binary covariates are shares of the rounded counts; the cells are each group's persons with
    and without the value. Continuous covariates rest on both group sizes.
    """
    t = treated.dropna().to_numpy(float)
    c = control.dropna().to_numpy(float)
    if is_binary(name):
        (kt, nt), (kc, nc) = (rules.rounded_share(int(x.sum()), x.size) for x in (t, c))
        share_t, share_c = share(kt, nt, 1), share(kc, nc, 1)
        return {"type": "binary", "mean_blsu": nan_if_none(share_t),
                "mean_control": nan_if_none(share_c),
                "smd": share_t - share_c if share_t is not None and share_c is not None
                else math.nan, "variance_ratio": math.nan,
                "cells": (int(t.sum()), int(t.size - t.sum()), int(c.sum()),
                          int(c.size - c.sum())), "magnitude": None}
    diff = float(t.mean() - c.mean()) if t.size and c.size else math.nan
    sd = float(t.std(ddof=1)) if t.size > 1 else math.nan
    var_c = float(c.var(ddof=1)) if c.size > 1 else math.nan
    return {"type": "continuous", "mean_blsu": t.mean() if t.size else math.nan,
            "mean_control": c.mean() if c.size else math.nan,
            "smd": diff / sd if sd and not math.isnan(sd) else math.nan,
            "variance_ratio": sd**2 / var_c if var_c else math.nan,
            "cells": (t.size, c.size), "magnitude": continuous_verdict(t, c, rules)}


def shown_size(n: int, rules: DisclosureRules) -> float:
    """A group size: rounded when it has at least the minimum cell, else withheld."""
    return rules.round(n) if rules.passes((n,)) else math.nan


def nan_if_none(value: Fraction | None) -> Fraction | float:
    """A share, NaN where its denominator is zero."""
    return math.nan if value is None else value


def continuous_verdict(treated: np.ndarray, control: np.ndarray,
                       rules: DisclosureRules) -> MagnitudeVerdict:
    """The magnitude rules on both groups' values (the means) and on their squared deviations
    from the mean (the variances of the SMD and the variance ratio): the first that fails,
    else the passing verdict."""
    checks = ((values, what) for values, side in ((treated, "offenders"), (control, "controls"))
              for values, what in ((values, f"mean of the {side}"),
                                   (squared_deviations(values), f"variance of the {side}")))
    verdicts = [rules.magnitude(values, what) for values, what in checks]
    failed = [v for v in verdicts if not v.passes]
    return failed[0] if failed else MagnitudeVerdict(
        True, f"means and variances of >= {rules.min_cell} persons, {rules.magnitude_rule} "
        "pass")


MIGRATION_DUMMIES = tuple(f"migration_generation_{level}" for level in MIGRATION_LEVELS)
DECIMALS = {"smd": 2, "variance_ratio": 2}
SHARE_DECIMALS = 4


def balance_table(persons: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """balance.csv: one row per covariate and control group; small cells suppressed, and a
    second migration level with a lone suppressed one (the levels add up to the group)."""
    cov = covariates(persons)
    treated = persons["study_group"] == OFFENDERS
    rows = []
    for control in CONTROLS:
        ctrl = persons["study_group"] == control
        found = {}
        for name in cov.columns:
            row = balance_row(name, cov.loc[treated, name], cov.loc[ctrl, name], rules)
            found[name] = (row, row.pop("cells"), row.pop("magnitude"))
        levels = [n for n in MIGRATION_DUMMIES if n in found]
        more = secondary_suppression({n: not rules.passes(found[n][1]) for n in levels},
                                     {n: float(min(found[n][1])) for n in levels})
        for name, (row, cells, verdict) in found.items():
            suppressed = (not rules.passes(cells) or name in more
                          or (verdict is not None and not verdict.passes))
            if suppressed:
                row.update(mean_blsu=math.nan, mean_control=math.nan, smd=math.nan,
                           variance_ratio=math.nan)
            rows.append({
                "covariate": name, "control_group": control, **row,
                "matched_on": name in ("birth_year", "sex_woman"),
                "n_blsu": shown_size(int(treated.sum()), rules),
                "n_control": shown_size(int(ctrl.sum()), rules),
                "suppressed": suppressed,
            })
    frame = pd.DataFrame(rows)
    binary = frame["type"] == "binary"
    places = {"mean_blsu": (SHARE_DECIMALS, rules.mean_decimals),
              "mean_control": (SHARE_DECIMALS, rules.mean_decimals),
              "smd": (SHARE_DECIMALS, DECIMALS["smd"]),
              "variance_ratio": (DECIMALS["variance_ratio"], DECIMALS["variance_ratio"])}
    for column, (if_binary, if_continuous) in places.items():
        frame[column] = [half_up(v, if_binary if b else if_continuous)
                         for v, b in zip(frame[column], binary, strict=True)]
    return frame
