"""Disclosure-controlled tables of estimates (the CSVs behind the figures)."""

from __future__ import annotations

import math

import pandas as pd

from python_stats.disclosure import DisclosureRules, is_suppressed, round_count
from python_stats.measures import Estimate

TABLE_COLUMNS = (
    "figure", "measure", "group", "unit", "value", "ci_low", "ci_high", "n", "n_events",
    "suppressed", "note",
)
DECIMALS = {"ratio": 2, "count": 2, "years": 2, "cases": 2}
PCT_DECIMALS = 1


def decimals(unit: str) -> int:
    """Decimals written for a unit: percentages 1, ratios and means 2."""
    return PCT_DECIMALS if unit.startswith("pct") else DECIMALS.get(unit, 2)


def controlled_row(est: Estimate, rules: DisclosureRules) -> dict[str, object]:
    """One table row: suppressed when a count it rests on is below min_cell, counts rounded."""
    suppressed = is_suppressed(est.cells, rules.min_cell)
    row: dict[str, object] = {
        "figure": est.figure, "measure": est.measure, "group": est.group, "unit": est.unit,
        "n": round_count(est.n, rules.round_base) if est.n is not None else math.nan,
        "n_events": math.nan,
        "suppressed": suppressed,
        "note": f"suppressed: fewer than {rules.min_cell} persons" if suppressed else est.note,
    }
    if est.n is not None and est.n < rules.min_cell:
        row["n"] = math.nan
    if suppressed:
        row.update(value=math.nan, ci_low=math.nan, ci_high=math.nan)
        return row
    if est.n_events is not None:
        row["n_events"] = round_count(est.n_events, rules.round_base)
    ci = est.interval
    if est.unit == "persons":
        base = rules.round_base
        row.update(
            value=round_count(ci.estimate, base),
            ci_low=math.floor(ci.low / base) * base if not math.isnan(ci.low) else math.nan,
            ci_high=math.ceil(ci.high / base) * base if not math.isnan(ci.high) else math.nan,
        )
    else:
        places = decimals(est.unit)
        row.update(value=round(ci.estimate, places), ci_low=round(ci.low, places),
                   ci_high=round(ci.high, places))
    return row


def estimates_table(estimates: list[Estimate], rules: DisclosureRules) -> pd.DataFrame:
    """The disclosure-controlled table of a list of estimates."""
    rows = [controlled_row(e, rules) for e in estimates]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
