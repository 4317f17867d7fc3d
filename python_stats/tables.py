"""Disclosure-controlled tables of estimates (the CSVs behind the figures).

Each row passes the rule of python_stats.disclosure: suppressed when a cell it rests on is below
the minimum, when a magnitude fails the magnitude rules (or when it would be the only suppressed
profile of a shown total), counts rounded, every other number rounded once from its unrounded
estimate by python_stats.rounding (a share of rounded counts exactly, as a rational). The
columns `value_exact`, `ci_low_exact` and `ci_high_exact` keep those unrounded (but controlled:
NaN when suppressed) numbers for the reproduction and the report, which round them once to the
report's precision; they are never written.
"""

from __future__ import annotations

import math

import pandas as pd

from python_stats.disclosure import DisclosureRules, secondary_suppression
from python_stats.magnitudes import WHOLE_PARTITIONS
from python_stats.marts import OFFENDERS, PROFILES
from python_stats.measures import Estimate
from python_stats.rounding import half_up

TABLE_COLUMNS = (
    "figure", "measure", "group", "unit", "value", "ci_low", "ci_high", "n", "n_events",
    "suppressed", "note",
)
EXACT_COLUMN = "value_exact"
EXACT_BOUNDS = ("ci_low_exact", "ci_high_exact")
EXACT_COLUMNS = (EXACT_COLUMN, *EXACT_BOUNDS)
RATIO_DECIMALS = 2
PCT_DECIMALS = 1
MEAN_UNITS = ("years", "cases", "count")
PARTITION_TOTAL = OFFENDERS


def decimals(unit: str, rules: DisclosureRules) -> int:
    """Decimals written for a unit: percentages 1, ratios 2, means the rule's mean decimals."""
    if unit.startswith("pct"):
        return PCT_DECIMALS
    return rules.mean_decimals if unit in MEAN_UNITS else RATIO_DECIMALS


def suppressed_row(est: Estimate, rules: DisclosureRules, note: str,
                   hide_n: bool = False) -> dict[str, object]:
    """A row whose value, interval and event count are withheld (and its n when it fails or
    `hide_n`)."""
    n_shown = est.n is not None and est.n >= rules.min_cell and not hide_n
    return {"figure": est.figure, "measure": est.measure, "group": est.group, "unit": est.unit,
            "value": math.nan, "ci_low": math.nan, "ci_high": math.nan,
            "n": rules.round(est.n) if n_shown else math.nan, "n_events": math.nan,
            "suppressed": True, "note": note, **dict.fromkeys(EXACT_COLUMNS, math.nan)}


def controlled_row(est: Estimate, rules: DisclosureRules) -> dict[str, object]:
    """One table row: suppressed when a count it rests on is below min_cell or a magnitude
    fails the magnitude rules; counts rounded, every other number rounded once (half-up)."""
    if not rules.passes(est.cells):
        return suppressed_row(est, rules, f"suppressed: fewer than {rules.min_cell} persons")
    if est.magnitude is not None and not est.magnitude.passes:
        return suppressed_row(est, rules, f"suppressed: {est.magnitude.rule}")
    ci = est.interval
    estimate = est.exact if est.exact is not None else ci.estimate
    row: dict[str, object] = {
        "figure": est.figure, "measure": est.measure, "group": est.group, "unit": est.unit,
        "n": rules.round(est.n) if est.n is not None else math.nan,
        "n_events": rules.round(est.n_events) if est.n_events is not None else math.nan,
        "suppressed": False, "note": est.note, EXACT_COLUMN: estimate,
        "ci_low_exact": ci.low, "ci_high_exact": ci.high,
    }
    if est.unit == "persons":
        base = rules.round_base
        row.update(
            value=rules.round(ci.estimate),
            ci_low=math.floor(ci.low / base) * base if not math.isnan(ci.low) else math.nan,
            ci_high=math.ceil(ci.high / base) * base if not math.isnan(ci.high) else math.nan,
        )
    else:
        places = decimals(est.unit, rules)
        row.update(value=half_up(estimate, places), ci_low=half_up(ci.low, places),
                   ci_high=half_up(ci.high, places))
    return row


Partitions = dict[tuple[str, str], tuple[int, dict[str, int]]]


def partitions(estimates: list[Estimate]) -> Partitions:
    """For each (figure, measure) with a row for the offenders and each profile: the position
    of the total and of each part."""
    index = {(e.figure, e.measure, e.group): i for i, e in enumerate(estimates)}
    out: Partitions = {}
    for figure, measure in dict.fromkeys((e.figure, e.measure) for e in estimates):
        total = index.get((figure, measure, PARTITION_TOTAL))
        parts = {p: index[(figure, measure, p)] for p in PROFILES
                 if (figure, measure, p) in index}
        if total is not None and len(parts) == len(PROFILES):
            out[(figure, measure)] = (total, parts)
    return out


def hidden_sizes(estimates: list[Estimate], parts: Partitions,
                 rules: DisclosureRules) -> set[tuple[str, int]]:
    """(group, n) pairs whose n is withheld in every row: below the minimum, or the second
    part withheld so that a profile's n never follows from the offenders' n by difference."""
    hidden = {(e.group, e.n) for e in estimates if e.n is not None and e.n < rules.min_cell}
    changed = True
    while changed:
        changed = False
        for total, members in parts.values():
            t = estimates[total]
            if (t.group, t.n) in hidden:
                continue
            state = {p: (p, estimates[i].n) in hidden for p, i in members.items()}
            sizes = {p: float(estimates[i].n or 0) for p, i in members.items()}
            for part in secondary_suppression(state, sizes):
                hidden.add((part, estimates[members[part]].n))
                changed = True
    return hidden


def with_secondary_suppression(rows: list[dict[str, object]], estimates: list[Estimate],
                               rules: DisclosureRules) -> list[dict[str, object]]:
    """Suppress a second profile wherever one profile alone is suppressed beside a shown total
    (its value, or its n in every row that shows the same n)."""
    parts = partitions(estimates)
    hidden = hidden_sizes(estimates, parts, rules)
    for i, est in enumerate(estimates):
        # a profile's size is the n of its rows and the event count of its share of offenders
        n_hidden = (est.group, est.n) in hidden
        if not (n_hidden or (est.group, est.n_events) in hidden):
            continue
        if rows[i]["suppressed"]:
            rows[i]["n"] = math.nan if n_hidden else rows[i]["n"]
        else:
            rows[i] = suppressed_row(est, rules, "suppressed: would reveal a suppressed "
                                     "profile by difference", hide_n=n_hidden)
    wholes = whole_partitions(estimates)
    for total, members in [*parts.values(), *((None, m) for m in wholes)]:
        if total is not None and rows[total]["suppressed"]:
            continue
        sizes = {p: float(estimates[i].n_events if estimates[i].n_events is not None
                          else estimates[i].n or 0) for p, i in members.items()}
        state = {p: bool(rows[i]["suppressed"]) for p, i in members.items()}
        for part in secondary_suppression(state, sizes):
            i = members[part]
            rows[i] = suppressed_row(estimates[i], rules, "suppressed: would reveal a "
                                     "suppressed profile by difference",
                                     hide_n=(part, estimates[i].n) in hidden)
    return rows


def whole_partitions(estimates: list[Estimate]) -> list[dict[str, int]]:
    """For each measure whose profiles add up to a known whole (100% of all cases): the
    position of each profile's row."""
    index = {(e.figure, e.measure, e.group): i for i, e in enumerate(estimates)}
    out = []
    for figure, measure in WHOLE_PARTITIONS:
        parts = {p: index[(figure, measure, p)] for p in PROFILES
                 if (figure, measure, p) in index}
        if len(parts) == len(PROFILES):
            out.append(parts)
    return out


def estimates_table(estimates: list[Estimate], rules: DisclosureRules) -> pd.DataFrame:
    """The disclosure-controlled table of a list of estimates (with the unwritten exact value)."""
    rows = with_secondary_suppression([controlled_row(e, rules) for e in estimates], estimates,
                                      rules)
    return pd.DataFrame(rows, columns=[*TABLE_COLUMNS, *EXACT_COLUMNS])


def exported(table: pd.DataFrame) -> pd.DataFrame:
    """The table as written: without the exact values."""
    return table.drop(columns=list(EXACT_COLUMNS), errors="ignore")
