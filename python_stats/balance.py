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

import pandas as pd

from python_stats.disclosure import DisclosureRules, round_count
from python_stats.marts import CONTROLS

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


def balance_row(name: str, treated: pd.Series, control: pd.Series) -> dict[str, object]:
    """SMD (continuous: by the offenders' SD; binary: raw difference) and variance ratio."""
    t = treated.dropna().to_numpy(float)
    c = control.dropna().to_numpy(float)
    diff = float(t.mean() - c.mean()) if t.size and c.size else math.nan
    if is_binary(name):
        return {"type": "binary", "mean_blsu": t.mean(), "mean_control": c.mean(),
                "smd": diff, "variance_ratio": math.nan,
                "cells": (int(t.sum()), int(c.sum()), t.size, c.size)}
    sd = float(t.std(ddof=1)) if t.size > 1 else math.nan
    var_c = float(c.var(ddof=1)) if c.size > 1 else math.nan
    return {"type": "continuous", "mean_blsu": t.mean(), "mean_control": c.mean(),
            "smd": diff / sd if sd and not math.isnan(sd) else math.nan,
            "variance_ratio": sd**2 / var_c if var_c else math.nan,
            "cells": (t.size, c.size)}


def balance_table(persons: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """balance.csv: one row per covariate and control group; small cells suppressed."""
    cov = covariates(persons)
    treated = persons["study_group"] == "blsu"
    rows = []
    for control in CONTROLS:
        ctrl = persons["study_group"] == control
        for name in cov.columns:
            row = balance_row(name, cov.loc[treated, name], cov.loc[ctrl, name])
            cells = row.pop("cells")
            suppressed = any(x < rules.min_cell for x in cells)
            if suppressed:
                row.update(mean_blsu=math.nan, mean_control=math.nan, smd=math.nan,
                           variance_ratio=math.nan)
            rows.append({
                "covariate": name, "control_group": control, **row,
                "matched_on": name in ("birth_year", "sex_woman"),
                "n_blsu": round_count(int(treated.sum()), rules.round_base),
                "n_control": round_count(int(ctrl.sum()), rules.round_base),
                "suppressed": suppressed,
            })
    frame = pd.DataFrame(rows)
    for column in ("mean_blsu", "mean_control", "smd", "variance_ratio"):
        frame[column] = frame[column].astype(float).round(4)
    return frame

