"""An independent recomputation of every exported number of a results folder.

Written apart from python_stats (it imports nothing of python_stats, gbtm or blsu): it reads the
rules in docs/disclosure.md, docs/warehouse.md and the marts' YAML, and implements them itself
with pandas, fractions/decimal, scipy and statsmodels, from the person-level marts of the
warehouse the folder was made from (opened read-only). It then compares, number by number, what
the folder shows with what it recomputes:

- table_sample.csv, table_A1.csv, table_A2.csv, table_A3.csv, table_profiles.csv: value,
  ci_low, ci_high, n, n_events, suppressed (counts rounded half-up to the base; shares
  R(k)/R(n) rounded half-up exactly as rationals; Wilson intervals on the rounded counts;
  prevalence ratios with Katz log intervals; t intervals of means; the magnitude rules;
  secondary suppression of a lone withheld profile; the percentile bootstrap of the case
  shares);
- tests.csv: test chosen, statistic, df, df2, p-value, Holm p-value, bands, effect size,
  Cochran's rule, n, suppressed (chi-square without continuity correction where every
  expected count is at least 5, else Fisher 2 x 2 or an exact r x 2 enumeration; Welch t and
  Welch ANOVA computed by hand);
- balance.csv; dq_findings.csv;
- reproduction.csv (reproduced, ci_low, ci_high, inside_ci, suppressed, the significance
  columns); report.md (the summary line, the numbers, statements and data-quality tables);
  report.html (published, reproduced and the interval of every published number, rounded
  once from the unrounded bound at the report's precision; the data-quality table);
- table_trajectories.csv observed_mean, band_from, band_to, n_observed;
  trajectory_agreement_table.csv; summary.json's counts.

Each number that differs is one line (file, row, column, shown, recomputed); the last line
counts the numbers compared and differing. Exit 1 on any difference, 2 on bad arguments.

    .venv/bin/python validation/recompute.py RESULTS_DIR [--warehouse FILE] [--project DIR]

Points where the documented rule leaves a choice open are marked "choice:" below.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml
from scipy import stats
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.proportion import proportion_confint

Z95 = float(stats.norm.ppf(0.975))
BOOTSTRAP = 2000  # docs: "a seeded percentile bootstrap", 2000 resamples (the table's note)
MONTE_CARLO_RESAMPLES = 9999
MC_Z = 2.576
EXACT_LIMIT = 2_000_000  # r x 2 tables enumerated at most (beyond: the shown p not recomputed)

# --------------------------------------------------------------------------------------------
# numbers: one half-up rounding, written as decimals

TIES: list[Fraction] = []  # exact rationals rounded that sat exactly at a half


def as_decimal(x: object) -> Decimal | Fraction | None:
    """An exact value: a Fraction stays one, a float is its shortest decimal (repr)."""
    if x is None:
        return None
    if isinstance(x, Fraction):
        return x
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return Decimal(int(x))
    f = float(x)
    if not math.isfinite(f):
        return None
    return Decimal(repr(f))


def hu(x: object, places: int) -> Decimal | None:
    """Half-up (ties away from zero) to `places` decimals."""
    d = as_decimal(x)
    if d is None:
        return None
    if isinstance(d, Fraction):
        scaled = abs(d) * 10 ** places
        if scaled - math.floor(scaled) == Fraction(1, 2):
            TIES.append(d)
        whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
        out = Decimal(whole if d >= 0 else -whole).scaleb(-places)
    else:
        out = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(out) if out == 0 else out


def sig(x: object, digits: int) -> Decimal | None:
    """Half-up to `digits` significant digits."""
    d = as_decimal(x)
    if d is None:
        return None
    if d == 0:
        return Decimal(0)
    if isinstance(d, Fraction):
        d = Decimal(d.numerator) / Decimal(d.denominator)  # not used for exported statistics
    return hu(d, digits - 1 - d.adjusted())


def parse(text: str) -> Decimal | None:
    """A shown number (None when empty)."""
    text = text.strip()
    if text == "" or text.lower() == "nan":
        return None
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


# --------------------------------------------------------------------------------------------
# the rules' parameters (dbt vars in force: dbt_project.yml's defaults under the build's --vars)


@dataclass(frozen=True)
class Rules:
    base: int
    min_cell: int
    dom_n: int
    dom_k: Fraction
    p_ratio: Fraction

    def r(self, k: int | float) -> int:
        """A count rounded to the base, halves up (exactly)."""
        return math.floor(Fraction(k) / self.base + Fraction(1, 2)) * self.base

    @property
    def mean_places(self) -> int:
        """d with 10^-d x min_cell >= 1 (docs: one decimal for a minimum of 10)."""
        d = 0
        while Fraction(1, 10 ** (d + 1)) * self.min_cell >= 1:
            d += 1
        return d

    def magnitude(self, values: Iterable[float]) -> bool:
        """docs/disclosure.md "Magnitudes": minimum group, dominance, p-ratio, zero, all equal
        (computed exactly on the values as they are)."""
        xs = sorted((abs(Fraction(float(v))) for v in values), reverse=True)
        if len(xs) < max(self.min_cell, 1):
            return False
        total = sum(xs, Fraction(0))
        if total == 0 or xs[0] == xs[-1]:
            return False
        if sum(xs[: self.dom_n], Fraction(0)) >= self.dom_k * total:
            return False
        return not sum(xs[2:], Fraction(0)) < self.p_ratio * xs[0]


def vars_in_force(project: Path, con: duckdb.DuckDBPyConnection) -> dict:
    defaults = yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]
    try:
        cli = con.execute("select cli_vars from marts.dim_build_settings").fetchone()[0]
        given = yaml.safe_load(cli) or {}
    except duckdb.Error:
        given = {}
    return {**defaults, **given}


def seed_codes(project: Path, name: str) -> list[str]:
    frame = pd.read_csv(project / "seeds" / f"{name}.csv", dtype=str)
    return list(frame.sort_values("sort_order", key=lambda s: s.astype(int)).iloc[:, 0])


def seed_labels(project: Path, lang: str) -> dict[str, str]:
    out = {}
    for name in ("study_groups", "profiles", "report_categories"):
        frame = pd.read_csv(project / "seeds" / f"{name}.csv", dtype=str)
        out.update(zip(frame.iloc[:, 0], frame[f"label_{lang}"], strict=True))
    return out


# --------------------------------------------------------------------------------------------
# estimates


@dataclass
class Row:
    """One recomputed row of an estimates table, before and after disclosure control."""

    figure: str
    measure: str
    group: str
    unit: str
    n: int | None  # unrounded
    n_events: int | None
    cells: tuple[int, ...]
    value: object = None  # unrounded (Fraction or float); for persons: the rounded count
    low: float = math.nan
    high: float = math.nan
    magnitude_ok: bool | None = None
    note: str = ""
    suppressed: bool = False
    hide_n: bool = False


def wilson(k: int, n: int) -> tuple[float, float]:
    if n <= 0:
        return math.nan, math.nan
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def katz(k: int, m: int, rk: int, rm: int) -> tuple[float, float]:
    """Prevalence ratio's log-scale Wald interval."""
    if not (k and rk and m and rm):
        return math.nan, math.nan
    rr = (k / m) / (rk / rm)
    se = math.sqrt(1 / k - 1 / m + 1 / rk - 1 / rm)
    return math.exp(math.log(rr) - Z95 * se), math.exp(math.log(rr) + Z95 * se)


def t_interval(values: np.ndarray) -> tuple[float, float]:
    if values.size < 2:
        return math.nan, math.nan
    mean = math.fsum(values) / values.size
    se = math.sqrt(math.fsum((values - mean) ** 2) / (values.size - 1) / values.size)
    q = float(stats.t.ppf(0.975, values.size - 1))
    return mean - q * se, mean + q * se


def mean_value(values: np.ndarray) -> Fraction | float:
    """A mean of whole numbers exactly (a rational), else as a float."""
    if values.size and np.all(values == np.floor(values)):
        return Fraction(int(sum(int(v) for v in values)), values.size)
    return math.fsum(values) / values.size if values.size else math.nan


class Study:
    """The marts and the rules; every estimate recomputed from them."""

    def __init__(self, persons: pd.DataFrame, careers: pd.DataFrame, rules: Rules,
                 groups: list[str], profiles: list[str], kinds: list[str], seed: int) -> None:
        self.p, self.c, self.rules = persons, careers, rules
        self.groups, self.profiles, self.kinds, self.seed = groups, profiles, kinds, seed
        self.offenders = groups[0]  # seed study_groups: the one group that is not a control
        self.controls = groups[1:]

    def members(self, group: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
        frame = self.p if frame is None else frame
        if group in self.groups:
            return frame[frame["study_group"] == group]
        return frame[(frame["study_group"] == self.offenders) & (frame["profile"] == group)]

    def share(self, fig: str, measure: str, group: str, flags: pd.Series,
              unit: str = "pct") -> Row:
        flags = flags.dropna().astype(bool)
        k, n = int(flags.sum()), int(flags.size)
        rk, rn = self.rules.r(k), self.rules.r(n)
        low, high = wilson(rk, rn)
        return Row(fig, measure, group, unit, n, k, (k, n - k),
                   Fraction(100 * rk, rn) if rn else None, low * 100.0, high * 100.0)

    def count(self, fig: str, measure: str, group: str, k: int, n: int) -> Row:
        rk, rn = self.rules.r(k), self.rules.r(n)
        low, high = wilson(rk, rn)
        return Row(fig, measure, group, "persons", n, k, (k, n - k), rk, low * rn, high * rn)

    def mean(self, fig: str, measure: str, group: str, values: pd.Series, unit: str) -> Row:
        vals = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
        low, high = t_interval(vals)
        return Row(fig, measure, group, unit, int(vals.size), None, (int(vals.size),),
                   mean_value(vals), low, high, magnitude_ok=self.rules.magnitude(vals))

    def ratio(self, fig: str, measure: str, group: str, frame: pd.DataFrame,
              ref: pd.DataFrame) -> Row:
        k, n = int(frame["has_lvb"].astype(bool).sum()), len(frame)
        rk_, rn_ = int(ref["has_lvb"].astype(bool).sum()), len(ref)
        r = self.rules.r
        low, high = katz(r(k), r(n), r(rk_), r(rn_))
        value = (Fraction(r(k) * r(rn_), r(n) * r(rk_)) if r(n) and r(rk_) and r(rn_) else None)
        return Row(fig, measure, group, "ratio", n, k, (k, n - k, rk_, rn_ - rk_), value,
                   low, high)

    # --- the figures, in the order of the tables

    def sample_rows(self) -> list[Row]:
        out = []
        for g in self.groups:
            n = len(self.members(g))
            out.append(Row("sample", "n", g, "persons", n, None, (n,), self.rules.r(n)))
        off = self.members(self.offenders)
        for p in self.profiles:
            out.append(self.share("profiles", "share", p, off["profile"] == p, "pct_of_blsu"))
        return out

    def career_rows(self) -> list[Row]:
        c, out = self.c, []
        cases = c["n_cases"].fillna(0).to_numpy(dtype=float)
        totals = {p: self.rules.r(int(cases[(c["profile"] == p).to_numpy()].sum()))
                  for p in self.profiles}
        grand = sum(totals.values())
        boot = self.bootstrap(cases)
        for p in self.profiles:
            mine = c[c["profile"] == p]
            low, high = boot.get(p, (math.nan, math.nan))
            value = Fraction(100 * totals[p], grand) if grand else None
            mine_cases = mine["n_cases"].fillna(0).to_numpy(dtype=float)
            out.append(Row("profiles", "share_of_all_cases", p, "pct_of_cases", len(mine), None,
                           (len(mine),), value, low, high,
                           magnitude_ok=self.rules.magnitude(mine_cases)))
            out.append(self.mean("profiles", "mean_age_first_offence", p,
                                 mine["age_first_offence"], "years"))
            out.append(self.mean("profiles", "mean_age_first_ht", p, mine["age_first_ht"],
                                 "years"))
            out.append(self.mean("profiles", "mean_cases_before_first_ht", p,
                                 mine["n_cases_before_first_ht"], "cases"))
            out.append(self.share("profiles", "starts_with_ht_pct", p, mine["starts_with_ht"]))
        out.append(self.share("profiles", "starts_with_ht_pct", self.offenders,
                              c["starts_with_ht"]))
        return out

    def bootstrap(self, cases: np.ndarray) -> dict[str, tuple[float, float]]:
        """Offenders resampled with replacement (2000 times, numpy's default generator seeded
        with the study's seed, offenders in person-key order): 2.5th and 97.5th percentiles of
        each profile's share of the resampled cases.
        choice: the generator and the draw (one matrix of indices) are numpy's natural ones;
        the docs say only "seeded percentile bootstrap"."""
        n = cases.size
        if n == 0 or cases.sum() <= 0:
            return {}
        rng = np.random.default_rng(self.seed)
        idx = rng.integers(0, n, size=(BOOTSTRAP, n))
        total = cases[idx].sum(axis=1)
        out = {}
        for p in self.profiles:
            mine = np.where(self.c["profile"].to_numpy() == p, cases, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = mine[idx].sum(axis=1) / total
            low, high = np.nanpercentile(shares, [2.5, 97.5])
            out[p] = (100 * float(low), 100 * float(high))
        return out

    def lvb_rows(self) -> list[Row]:
        ref_group = self.controls[-1]  # the non-criminal controls (seed order)
        ref = self.members(ref_group)
        out = []
        for g in [*self.groups, *self.profiles]:
            frame = self.members(g)
            out.append(self.share("A1", "lvb_pct", g, frame["has_lvb"]))
            if g == ref_group:
                k = int(frame["has_lvb"].astype(bool).sum())
                out.append(Row("A1", "lvb_ratio_vs_noncriminal", g, "ratio", len(frame), k,
                               (k, len(frame) - k), Fraction(1), note="reference group"))
            else:
                out.append(self.ratio("A1", "lvb_ratio_vs_noncriminal", g, frame, ref))
        out.append(self.ratio("A1", "lvb_ratio_vs_criminal", self.offenders,
                              self.members(self.offenders), self.members(self.controls[0])))
        return out

    def victim_rows(self) -> list[Row]:
        out = []
        for g in [*self.groups, *self.profiles]:
            frame = self.members(g)
            out.append(self.share("A2", "victim_any_2010_2023", g, frame["is_victim"]))
            v = frame["is_victim"].astype(bool)
            out.append(self.count("A2", "victims_n", g, int(v.sum()), len(frame)))
            out.append(self.mean("A2", "mean_victimisations_among_victims", g,
                                 frame.loc[v, "n_victimisations"], "count"))
        off = self.members(self.offenders)
        eligible = off["recent_victim_eligible"].fillna(False).astype(bool)
        out.append(self.count("A2", "recent_eligible_n", self.offenders, int(eligible.sum()),
                              len(off)))
        out.append(self.share("A2", "recent_eligible_share", self.offenders, eligible,
                              "pct_of_blsu"))
        for g in [self.offenders, *self.profiles]:
            frame = self.members(g)
            frame = frame[frame["recent_victim_eligible"].fillna(False).astype(bool)]
            out.append(self.share("A2", "victim_recent_3y_before_first_ht", g,
                                  frame["recent_victim_3y"]))
        return out

    def type_rows(self) -> list[Row]:
        out = []
        for g in [*self.groups, *self.profiles]:
            frame = self.members(g)
            victims = frame[frame["is_victim"].astype(bool)]
            for kind in self.kinds:
                out.append(self.share("A3", f"victim_type_pct_among_victims_{kind}", g,
                                      victims[f"victim_{kind}"]))
        return out

    def all_rows(self) -> list[Row]:
        rows = [*self.sample_rows(), *self.career_rows(), *self.lvb_rows(),
                *self.victim_rows(), *self.type_rows()]
        self.control(rows)
        return rows

    # --- disclosure control of the rows

    def control(self, rows: list[Row]) -> None:
        """docs/disclosure.md rules 2, 4 and 5.
        choice: "the next smallest profile" is the smallest by the count the part rests on
        (its event count for a share, its persons otherwise), ties by profile code; a withheld
        size is a (group, size) pair, withheld in every row that shows it as n or n_events."""
        mc = self.rules.min_cell
        for row in rows:
            if any(c < mc for c in row.cells):
                row.suppressed, row.note = True, f"suppressed: fewer than {mc} persons"
            elif row.magnitude_ok is False:
                row.suppressed, row.note = True, "suppressed: magnitude rules"
        by_key = {(r.figure, r.measure, r.group): r for r in rows}
        parts = {}
        for r in rows:
            key = (r.figure, r.measure)
            if key in parts:
                continue
            total = by_key.get((*key, self.offenders))
            mine = [by_key.get((*key, p)) for p in self.profiles]
            if total is not None and all(mine):
                parts[key] = (total, mine)
        # sizes withheld everywhere
        hidden = {(r.group, r.n) for r in rows if r.n is not None and r.n < mc}
        changed = True
        while changed:
            changed = False
            for total, mine in parts.values():
                if (total.group, total.n) in hidden:
                    continue
                lone = [m for m in mine if (m.group, m.n) in hidden]
                shown = [m for m in mine if (m.group, m.n) not in hidden]
                if len(lone) == 1 and shown:
                    pick = min(shown, key=lambda m: (m.n or 0, m.group))
                    hidden.add((pick.group, pick.n))
                    changed = True
        for r in rows:
            n_hidden = (r.group, r.n) in hidden
            if n_hidden or (r.group, r.n_events) in hidden:
                r.hide_n = r.hide_n or n_hidden
                if not r.suppressed:
                    r.suppressed, r.note = True, "suppressed: by difference"
        wholes = [by_key.get(("profiles", "share_of_all_cases", p)) for p in self.profiles]
        groups = [*parts.values()]
        if all(wholes):
            groups.append((None, wholes))
        for total, mine in groups:
            if total is not None and total.suppressed:
                continue
            lone = [m for m in mine if m.suppressed]
            shown = [m for m in mine if not m.suppressed]
            if len(lone) == 1 and shown:
                pick = min(shown, key=lambda m: ((m.n_events if m.n_events is not None
                                                  else m.n) or 0, m.group))
                pick.suppressed, pick.note = True, "suppressed: by difference"
                pick.hide_n = pick.hide_n or (pick.group, pick.n) in hidden

    def shown(self, row: Row) -> dict[str, object]:
        """The row as the tables write it (Decimal or None per number)."""
        r, mc = self.rules, self.rules.min_cell
        n_shown = row.n is not None and row.n >= mc and not row.hide_n
        out = {"suppressed": row.suppressed, "n": Decimal(r.r(row.n)) if n_shown else None}
        if row.suppressed:
            out.update(value=None, ci_low=None, ci_high=None, n_events=None)
            return out
        out["n_events"] = Decimal(r.r(row.n_events)) if row.n_events is not None else None
        if row.unit == "persons":
            base = r.base
            out["value"] = Decimal(int(row.value))
            out["ci_low"] = (None if math.isnan(row.low)
                             else Decimal(math.floor(row.low / base) * base))
            out["ci_high"] = (None if math.isnan(row.high)
                              else Decimal(math.ceil(row.high / base) * base))
        else:
            places = self.table_places(row.unit)
            out["value"] = hu(row.value, places)
            out["ci_low"], out["ci_high"] = hu(row.low, places), hu(row.high, places)
        return out

    def table_places(self, unit: str) -> int:
        """Rule 8: percentages 1 decimal, ratios 2, means the magnitude decimals."""
        if unit.startswith("pct"):
            return 1
        return self.rules.mean_places if unit in ("years", "cases", "count") else 2


# --------------------------------------------------------------------------------------------
# tests


def chi2_pearson(table: np.ndarray) -> tuple[float, int, float]:
    """Pearson's X2 without continuity correction, its df and the smallest expected count."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    total = table.sum()
    expected = np.outer(rows, cols) / total
    x2 = float(((table - expected) ** 2 / expected).sum())
    return x2, (table.shape[0] - 1) * (table.shape[1] - 1), float(expected.min())


def exact_rx2(table: np.ndarray) -> float | None:
    """Fisher's exact test of an r x 2 table (Freeman-Halton): the probability of every table
    with the observed margins at most as probable as the observed one (relative tolerance
    1e-7, as R's fisher.test). None when there are too many tables."""
    t = np.asarray(table, dtype=np.int64)
    if t[:, 0].sum() > t[:, 1].sum():
        t = t[:, ::-1]
    sizes = [int(x) for x in t.sum(axis=1)]
    k_total = int(t[:, 0].sum())
    lc = [[math.lgamma(s + 1) - math.lgamma(j + 1) - math.lgamma(s - j + 1)
           for j in range(min(s, k_total) + 1)] for s in sizes]
    n_total = sum(sizes)
    log_norm = (math.lgamma(n_total + 1) - math.lgamma(k_total + 1)
                - math.lgamma(n_total - k_total + 1))
    observed = sum(lc[i][int(t[i, 0])] for i in range(len(sizes))) - log_norm
    limit = observed + math.log1p(1e-7)
    total, visits = 0.0, 0
    rest_max = [sum(min(s, k_total) for s in sizes[i:]) for i in range(len(sizes))] + [0]

    def walk(i: int, left: int, acc: float) -> None:
        nonlocal total, visits
        visits += 1
        if visits > EXACT_LIMIT:
            raise OverflowError
        if i == len(sizes) - 1:
            if left <= sizes[i]:
                lp = acc + lc[i][left] - log_norm
                if lp <= limit:
                    total += math.exp(lp)
            return
        low = max(0, left - rest_max[i + 1])
        for j in range(low, min(sizes[i], left) + 1):
            walk(i + 1, left - j, acc + lc[i][j])

    try:
        walk(0, k_total, 0.0)
    except OverflowError:
        return None
    return min(1.0, total)


@dataclass
class Test:
    measure: str
    population: str
    family: str
    groups: tuple[str, ...]
    test: str = "not testable"
    statistic: float = math.nan
    df: float = math.nan
    df2: float = math.nan
    p: float = math.nan
    p_se: float = math.nan
    p_exact_check: float | None = None  # an exact p beside a Monte Carlo one
    min_expected: float = math.nan
    effect: float = math.nan
    effect_kind: str = ""
    n: int = 0
    suppressed: bool = False
    p_holm: float = math.nan

    @property
    def pair(self) -> bool:
        return len(self.groups) == 2


def band(p: float) -> str:
    if p is None or math.isnan(p):
        return ""
    for limit, name in ((0.001, "<0.001"), (0.01, "<0.01"), (0.05, "<0.05")):
        if p < limit:
            return name
    return "n.s."


def share_test(t: Test, rows: list[list[int]]) -> None:
    table = np.asarray(rows, dtype=np.int64)
    t.n = int(table.sum())
    totals = table.sum(axis=1)
    kept = table[totals > 0]
    kept = kept[:, kept.sum(axis=0) > 0]
    if t.pair:
        shares = [r[0] / s if s else math.nan for r, s in zip(table, totals, strict=True)]
        t.effect = 2 * math.asin(math.sqrt(shares[0])) - 2 * math.asin(math.sqrt(shares[1])) \
            if not any(math.isnan(s) for s in shares) else math.nan
        t.effect_kind = "cohen_h"
    else:
        t.effect_kind = "cramer_v"
    if kept.shape[0] < 2 or kept.shape[1] < 2:
        return
    x2, dof, min_exp = chi2_pearson(kept)
    t.min_expected = min_exp
    if not t.pair:
        t.effect = math.sqrt(x2 / kept.sum() / min(kept.shape[0] - 1, kept.shape[1] - 1))
    if min_exp >= 5:
        t.test, t.statistic, t.df, t.p = "chi-square", x2, dof, float(stats.chi2.sf(x2, dof))
    elif kept.shape == (2, 2):
        t.test = "fisher"
        t.p = float(stats.fisher_exact(kept).pvalue)
        t.statistic = float(odds_ratio(kept, kind="conditional").statistic)
    else:
        t.test = "fisher-freeman-halton"
        p = exact_rx2(kept)
        t.p = math.nan if p is None else p


def welch_t(t: Test, a: np.ndarray, b: np.ndarray) -> None:
    """Welch's t by hand: (m_a - m_b) / sqrt(v_a/n_a + v_b/n_b), Welch-Satterthwaite df."""
    t.effect_kind = "hedges_g"
    if a.size < 2 or b.size < 2 or (np.var(a) == 0 and np.var(b) == 0):
        t.effect = hedges(a, b)
        return
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    stat = (a.mean() - b.mean()) / math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    t.test, t.statistic, t.df = "welch-t", float(stat), float(dof)
    t.p = float(2 * stats.t.sf(abs(stat), dof))
    t.effect = hedges(a, b)


def hedges(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or b.size < 2:
        return math.nan
    dof = a.size + b.size - 2
    pooled = ((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / dof
    if pooled <= 0:
        return math.nan
    j = math.exp(math.lgamma(dof / 2) - math.lgamma((dof - 1) / 2)) / math.sqrt(dof / 2)
    return float((a.mean() - b.mean()) / math.sqrt(pooled) * j)


def welch_anova(t: Test, samples: list[np.ndarray]) -> None:
    """Welch's one-way ANOVA by hand (Welch 1951)."""
    t.effect_kind = "eta_squared"
    present = [s for s in samples if s.size]
    if present:
        values = np.concatenate(present)
        grand = values.mean()
        total = float(((values - grand) ** 2).sum())
        between = float(sum(s.size * (s.mean() - grand) ** 2 for s in present))
        t.effect = between / total if total > 0 else math.nan
    groups = [s for s in samples if s.size >= 2]
    if len(groups) < 2 or any(np.var(s) == 0 for s in groups):
        return
    k = len(groups)
    w = np.array([s.size / s.var(ddof=1) for s in groups])
    m = np.array([s.mean() for s in groups])
    nn = np.array([s.size for s in groups], dtype=float)
    mw = (w * m).sum() / w.sum()
    a = (w * (m - mw) ** 2).sum() / (k - 1)
    tmp = (((1 - w / w.sum()) ** 2) / (nn - 1)).sum()
    b = 1 + 2 * (k - 2) / (k ** 2 - 1) * tmp
    t.test, t.statistic, t.df, t.df2 = "welch-anova", float(a / b), float(k - 1), \
        float((k ** 2 - 1) / (3 * tmp))
    t.p = float(stats.f.sf(t.statistic, t.df, t.df2))


def holm(ps: list[float]) -> list[float]:
    """Holm's step-down adjustment (NaN p-values left out of the family)."""
    idx = [i for i, p in enumerate(ps) if not math.isnan(p)]
    out = [math.nan] * len(ps)
    order = sorted(idx, key=lambda i: ps[i])
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * ps[i]))
        out[i] = running
    return out


# table row that shows each group of a test (docs: a test is shown only when every group it
# compares is shown in the tables)
def test_table_row(measure: str, population: str) -> tuple[str, str]:
    if measure == "has_lvb":
        return "A1", "lvb_pct"
    if measure == "is_victim":
        return "A2", "victim_any_2010_2023"
    if measure.startswith("victim_"):
        return "A3", "victim_type_pct_among_victims_" + measure.removeprefix("victim_")
    if measure == "recent_victim_3y":
        return "A2", "victim_recent_3y_before_first_ht"
    if measure == "n_victimisations":
        return "A2", "mean_victimisations_among_victims"
    return "profiles", "mean_" + measure.replace("n_cases", "cases")


def all_tests(s: Study, shown_rows: set[tuple[str, str, str]]) -> list[Test]:
    r = s.rules
    fams = {
        "groups": [tuple(s.groups), *combinations(s.groups, 2)],
        "profiles": [tuple(s.profiles), *combinations(s.profiles, 2)],
        "profile_vs_controls": [*((p, *s.controls) for p in s.profiles),
                                *((p, c) for p in s.profiles for c in s.controls)],
    }
    pops = {"all": s.p, "victims": s.p[s.p["is_victim"].astype(bool)],
            "eligible offenders": s.p[s.p["recent_victim_eligible"].fillna(False).astype(bool)]}
    out: list[Test] = []

    def shares(measure: str, pop: str, families: tuple[str, ...]) -> None:
        for fam in families:
            for gs in fams[fam]:
                t = Test(measure, pop, fam, gs)
                rows = []
                for g in gs:
                    flags = s.members(g, pops[pop])[measure].dropna().astype(bool)
                    k, n = r.r(int(flags.sum())), r.r(int(flags.size))
                    rows.append([k, n - k])
                share_test(t, rows)
                out.append(t)

    def means(measure: str, pop: str, frame: pd.DataFrame, families: tuple[str, ...]) -> None:
        for fam in families:
            for gs in fams[fam]:
                t = Test(measure, pop, fam, gs)
                samples = [pd.to_numeric(s.members(g, frame)[measure], errors="coerce")
                           .dropna().to_numpy(dtype=float) for g in gs]
                t.n = sum(r.r(x.size) for x in samples)
                if t.pair:
                    welch_t(t, *samples)
                else:
                    welch_anova(t, samples)
                out.append(t)

    everything = ("groups", "profiles", "profile_vs_controls")
    shares("has_lvb", "all", everything)
    shares("is_victim", "all", everything)
    for kind in s.kinds:
        shares(f"victim_{kind}", "victims", everything)
    shares("recent_victim_3y", "eligible offenders", ("profiles",))
    means("n_victimisations", "victims", pops["victims"], everything)
    careers = s.c.assign(study_group=s.offenders)
    for m in ("age_first_offence", "age_first_ht", "n_cases_before_first_ht"):
        means(m, "offenders", careers, ("profiles",))
    for t in out:
        fig, meas = test_table_row(t.measure, t.population)
        t.suppressed = not all((fig, meas, g) in shown_rows for g in t.groups)
    families: dict[tuple[str, str, str], list[Test]] = {}
    for t in out:
        if t.pair:
            families.setdefault((t.measure, t.population, t.family), []).append(t)
    for members in families.values():
        if any(t.suppressed for t in members):
            continue
        for t, adjusted in zip(members, holm([t.p for t in members]), strict=True):
            t.p_holm = adjusted
    return out


def shown_band(t: Test) -> str:
    if t.test == "fisher-monte-carlo" and not math.isnan(t.p_se):
        return band(min(1.0, t.p + MC_Z * t.p_se))
    return band(t.p)


# --------------------------------------------------------------------------------------------
# comparing


@dataclass
class Diff:
    file: str
    row: str
    column: str
    shown: str
    recomputed: str


@dataclass
class Tally:
    compared: int = 0
    numbers: int = 0
    diffs: list[Diff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def same(self, file: str, row: str, column: str, shown: str, expected: object,
             tolerance: Decimal | None = None) -> None:
        """Compare one shown cell with its recomputation (numbers as decimals, text as is)."""
        self.compared += 1
        if isinstance(expected, bool):
            ok = shown.strip() == str(expected)
            want = str(expected)
        elif isinstance(expected, (Decimal, int)) or expected is None:
            got = parse(shown)
            want_d = None if expected is None else Decimal(expected)
            if got is not None or want_d is not None:
                self.numbers += 1
            if tolerance is not None and got is not None and want_d is not None:
                ok = abs(got - want_d) <= tolerance
            else:
                ok = got == want_d and (shown.strip() != "" or want_d is None)
            want = "" if want_d is None else format(want_d, "f") if abs(want_d) >= Decimal(
                "1e-4") or want_d == 0 else str(want_d)
        else:
            ok = shown == str(expected)
            want = str(expected)
        if not ok:
            self.diffs.append(Diff(file, row, column, shown, want))


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def compare_rows(tally: Tally, file: str, shown: pd.DataFrame, key: list[str],
                 expected: list[dict[str, object]], columns: list[str],
                 tolerances: dict[str, Decimal] | None = None) -> None:
    """Every expected row against the shown row with the same key (missing and extra rows are
    differences too)."""
    index = {tuple(r[k] for k in key): (i + 1, r) for i, r in enumerate(
        shown.to_dict("records"))}
    seen = set()
    for exp in expected:
        k = tuple(str(exp[c]) for c in key)
        label = "/".join(k)
        if k not in index:
            tally.diffs.append(Diff(file, label, "(row)", "missing", "expected"))
            continue
        seen.add(k)
        number, row = index[k]
        for column in columns:
            if column not in row:
                tally.diffs.append(Diff(file, label, column, "(no column)", "expected"))
                continue
            tol = (tolerances or {}).get(column)
            tally.same(file, f"{number} ({label})", column, row[column], exp.get(column),
                       tol)
    for k, (number, _) in index.items():
        if k not in seen:
            tally.diffs.append(Diff(file, f"{number} ({'/'.join(k)})", "(row)", "shown",
                                    "not expected"))


# --------------------------------------------------------------------------------------------
# the results folder


TABLE_FILES = {"sample": "table_sample.csv", "A1": "table_A1.csv", "A2": "table_A2.csv",
               "A3": "table_A3.csv", "profiles": "table_profiles.csv"}
TABLE_COLUMNS = ["value", "ci_low", "ci_high", "n", "n_events", "suppressed"]


def check_tables(tally: Tally, s: Study, rows: list[Row], results: Path) -> None:
    for fig, name in TABLE_FILES.items():
        expected = []
        for r in rows:
            if r.figure != fig:
                continue
            shown = s.shown(r)
            expected.append({"figure": r.figure, "measure": r.measure, "group": r.group,
                             "unit": r.unit, **shown})
        compare_rows(tally, name, read_csv(results / name), ["measure", "group"], expected,
                     ["unit", *TABLE_COLUMNS])


def test_expected(t: Test) -> dict[str, object]:
    out: dict[str, object] = {
        "measure": t.measure, "population": t.population, "family": t.family,
        "comparison": "pair" if t.pair else "omnibus", "groups": " vs ".join(t.groups),
        "effect_kind": t.effect_kind, "suppressed": t.suppressed,
    }
    if t.suppressed:
        out.update(test="", statistic=None, df=None, df2=None, p_value=None, p_se=None,
                   p_holm=None, band="", band_holm="", effect_size=None,
                   expected_counts_at_least_5="", n=None)
        return out
    out.update(
        test=t.test, statistic=sig(t.statistic, 3), df=hu(t.df, 1), df2=hu(t.df2, 1),
        p_value=sig(t.p, 2), p_se=sig(t.p_se, 2), p_holm=sig(t.p_holm, 2),
        band=shown_band(t), band_holm=band(t.p_holm), effect_size=hu(t.effect, 2),
        expected_counts_at_least_5=("" if math.isnan(t.min_expected)
                                    else str(bool(t.min_expected >= 5))),
        n=Decimal(t.n))
    return out


def check_tests(tally: Tally, tests: list[Test], results: Path) -> pd.DataFrame:
    shown = read_csv(results / "tests.csv")
    key = ["measure", "population", "family", "groups"]
    index = {tuple(r[k] for k in key): r for r in shown.to_dict("records")}
    expected = []
    for t in tests:
        exp = test_expected(t)
        row = index.get((t.measure, t.population, t.family, " vs ".join(t.groups)))
        if row is not None and row.get("test") == "fisher-monte-carlo" and not t.suppressed:
            # a Monte Carlo p-value cannot be redrawn without its generator's stream: the
            # exact p (where enumerable) must lie within 4 of its standard errors
            se = parse(row["p_se"]) or Decimal(0)
            exp.update(test="fisher-monte-carlo", p_se=parse(row["p_se"]),
                       p_value=None if math.isnan(t.p) else Decimal(repr(t.p)),
                       band=row["band"], p_holm=parse(row["p_holm"]),
                       band_holm=row["band_holm"])
            tally.notes.append(f"tests.csv {exp['groups']} ({t.measure}): Monte Carlo p "
                               f"compared with the exact p within 4 standard errors")
            exp["_tol"] = 4 * se + Decimal("0.0005")
        expected.append(exp)
    columns = ["test", "statistic", "df", "df2", "p_value", "p_se", "p_holm", "band",
               "band_holm", "effect_size", "effect_kind", "expected_counts_at_least_5", "n",
               "suppressed"]
    plain = [e for e in expected if "_tol" not in e]
    compare_rows(tally, "tests.csv", shown, key, plain, columns)
    for e in expected:
        if "_tol" in e:
            compare_rows(tally, "tests.csv", shown[
                (shown["groups"] == e["groups"]) & (shown["measure"] == e["measure"])
                & (shown["family"] == e["family"])], key, [e], ["p_value"],
                {"p_value": e["_tol"]})
    return shown


def check_balance(tally: Tally, s: Study, vars_: dict, results: Path) -> None:
    r, p = s.rules, s.p
    matched = {"sex": "sex_woman", "birth_year": "birth_year"}
    keys = {matched.get(k, k) for k in vars_.get("matching_keys") or []}
    expected = []
    off = p[p["study_group"] == s.offenders]
    levels = ["0", "1", "2", "unknown"]
    for control in s.controls:
        ctl = p[p["study_group"] == control]
        rows: dict[str, dict[str, object]] = {}
        cells: dict[str, tuple[int, ...]] = {}
        for name in ("birth_year", "birth_month"):
            t = pd.to_numeric(off[name], errors="coerce").dropna().to_numpy(float)
            c = pd.to_numeric(ctl[name], errors="coerce").dropna().to_numpy(float)
            sd = float(np.std(t, ddof=1)) if t.size > 1 else math.nan
            var_c = float(np.var(c, ddof=1)) if c.size > 1 else math.nan
            ok = all(r.magnitude(v) for v in (t, c, (t - t.mean()) ** 2, (c - c.mean()) ** 2))
            rows[name] = {"type": "continuous", "mean_blsu": hu(mean_value(t), r.mean_places),
                          "mean_control": hu(mean_value(c), r.mean_places),
                          "smd": hu((t.mean() - c.mean()) / sd, 2) if sd else None,
                          "variance_ratio": hu(sd ** 2 / var_c, 2) if var_c else None,
                          "_ok": ok}
            cells[name] = (t.size, c.size)

        rows["sex_woman"], cells["sex_woman"] = binary_row(
            r, off["sex"].astype("string") == "2", ctl["sex"].astype("string") == "2")
        gen_t = off["migration_generation"].astype("string").fillna("unknown")
        gen_c = ctl["migration_generation"].astype("string").fillna("unknown")
        gen_t = gen_t.where(gen_t.isin(levels[:3]), "unknown")
        gen_c = gen_c.where(gen_c.isin(levels[:3]), "unknown")
        for lv in levels:
            name = f"migration_generation_{lv}"
            rows[name], cells[name] = binary_row(r, gen_t == lv, gen_c == lv)
        small = [f"migration_generation_{lv}" for lv in levels
                 if min(cells[f"migration_generation_{lv}"]) < r.min_cell]
        more = set()
        if len(small) == 1:
            shown_levels = [f"migration_generation_{lv}" for lv in levels
                            if f"migration_generation_{lv}" not in small]
            more = {min(shown_levels, key=lambda x: (min(cells[x]), x))}
        for name in ("birth_year", "birth_month", "sex_woman",
                     *(f"migration_generation_{lv}" for lv in levels)):
            row = rows[name]
            sup = (min(cells[name]) < r.min_cell or name in more or not row.pop("_ok"))
            row.pop("_ok", None)
            if sup:
                row.update(mean_blsu=None, mean_control=None, smd=None, variance_ratio=None)
            expected.append({"covariate": name, "control_group": control, **row,
                             "matched_on": name in keys,
                             "n_blsu": Decimal(r.r(len(off))) if len(off) >= r.min_cell else None,
                             "n_control": Decimal(r.r(len(ctl))) if len(ctl) >= r.min_cell
                             else None, "suppressed": sup})
    compare_rows(tally, "balance.csv", read_csv(results / "balance.csv"),
                 ["covariate", "control_group"], expected,
                 ["type", "mean_blsu", "mean_control", "smd", "variance_ratio", "matched_on",
                  "n_blsu", "n_control", "suppressed"])


def binary_row(r: Rules, ft: pd.Series, fc: pd.Series
               ) -> tuple[dict[str, object], tuple[int, ...]]:
    """A binary covariate: shares of the rounded counts (4 decimals), their raw difference."""
    kt, nt, kc, nc = int(ft.sum()), int(ft.size), int(fc.sum()), int(fc.size)
    st = Fraction(r.r(kt), r.r(nt)) if r.r(nt) else None
    sc = Fraction(r.r(kc), r.r(nc)) if r.r(nc) else None
    return ({"type": "binary", "mean_blsu": hu(st, 4), "mean_control": hu(sc, 4),
             "smd": hu(st - sc, 4) if st is not None and sc is not None else None,
             "variance_ratio": None, "_ok": True}, (kt, nt - kt, kc, nc - kc))


def dq_expected(dq: pd.DataFrame, r: Rules) -> list[dict[str, object]]:
    out = []
    for row in sorted(dq.to_dict("records"), key=lambda x: (x["dataset"], x["finding"])):
        k = int(row["n_records"])
        out.append({"dataset": row["dataset"], "finding": row["finding"],
                    "n_records": Decimal(0) if k == 0 else
                    Decimal(r.r(k)) if k >= r.min_cell else None})
    return out


# --------------------------------------------------------------------------------------------
# the reproduction and the report


def report_places(unit: str) -> int:
    """The report's precision: percentages and persons 0 decimals, ratios and means 1."""
    return 0 if unit.startswith("pct") or unit == "persons" else 1


def text(d: Decimal | None) -> str:
    return "" if d is None else format(d, "f")


def table_text(d: Decimal | None) -> str:
    """A number as a CSV table writes it (no trailing .0)."""
    return "" if d is None else format(d.normalize(), "f")


@dataclass
class Repro:
    pub: dict
    reproduced: str = ""
    ci_low: Decimal | None = None
    ci_high: Decimal | None = None
    exact_low: float = math.nan
    exact_high: float = math.nan
    inside: object = ""
    suppressed: bool = False
    sig: dict = field(default_factory=dict)


def holds(published: str, reproduced: str) -> bool:
    order = ("<0.001", "<0.01", "<0.05", "n.s.")
    if published not in order or reproduced not in order:
        return False
    if published == "n.s.":
        return reproduced == "n.s."
    return order.index(reproduced) <= order.index(published)


def reproduction(s: Study, rows: list[Row], tests: list[Test], project: Path) -> list[Repro]:
    pub = read_csv(project / "published" / "published_figures.csv")
    st = read_csv(project / "published" / "published_statements.csv")
    st = st.assign(order=st["statement"].astype(int)).sort_values(
        ["figure", "measure", "group", "order"], kind="stable")
    by_key = {(r.figure, r.measure, r.group): r for r in rows}
    by_mg: dict[tuple[str, str], Row] = {}
    for r in rows:
        by_mg.setdefault((r.measure, r.group), r)
    test_index = {(t.measure, t.population, t.family, " vs ".join(t.groups)): t for t in tests}
    out = []
    for p in pub.to_dict("records"):
        rep = Repro(p)
        row = by_key.get((p["figure"], p["measure"], p["group"]))
        if row is not None:
            shown = s.shown(row)
            rep.suppressed = row.suppressed
            places = report_places(p["unit"])
            if not row.suppressed:
                value = row.value if row.unit != "persons" else Fraction(int(row.value))
                rep.reproduced = text(hu(value, places))
                rep.ci_low, rep.ci_high = shown["ci_low"], shown["ci_high"]
                if row.unit == "persons":
                    rep.exact_low = float(shown["ci_low"]) if shown["ci_low"] is not None \
                        else math.nan
                    rep.exact_high = float(shown["ci_high"]) if shown["ci_high"] is not None \
                        else math.nan
                else:
                    rep.exact_low, rep.exact_high = row.low, row.high
            try:
                published = Decimal(p["value"])
            except ArithmeticError:
                published = None
            if published is not None and rep.ci_low is not None and rep.ci_high is not None:
                rep.inside = rep.ci_low <= published <= rep.ci_high
        statements = st[(st["figure"] == p["figure"]) & (st["measure"] == p["measure"])
                        & (st["group"] == p["group"])]
        target = tested(p["figure"], p["measure"])
        if len(statements) and target is not None:
            labels, bands = [], []
            for srow in statements.to_dict("records"):
                comparison = srow["comparison"]
                if comparison == "blsu_vs_controls":
                    fam, gs, label = "groups", tuple(s.groups), f"{s.offenders} vs controls"
                elif comparison == "profiles":
                    fam, gs, label = "profiles", tuple(s.profiles), "profiles"
                else:
                    fam, gs = "profile_vs_controls", (p["group"], *s.controls)
                    label = f"{p['group']} vs controls"
                t = test_index.get((*target, fam, " vs ".join(gs)))
                b = "" if t is None else "suppressed" if t.suppressed else shown_band(t)
                labels.append((label, srow["band"], b))
                bands.append(b)
            agreeing = sum(holds(pb, b) for _, pb, b in labels)
            rep.sig = {
                "published_significance": "; ".join(f"{lab}: {pb}" for lab, pb, _ in labels),
                "reproduced_band": "; ".join(f"{lab}: {b or 'not tested'}"
                                             for lab, _, b in labels),
                "agrees": agreeing == len(labels), "statements_total": len(labels),
                "statements_agreeing": agreeing,
                "statements_same_band": sum(pb == b for _, pb, b in labels),
                "statements_suppressed": sum(b == "suppressed" for b in bands)}
        else:
            rep.sig = {"published_significance": "", "reproduced_band": "", "agrees": "",
                       "statements_total": 0, "statements_agreeing": 0,
                       "statements_same_band": 0, "statements_suppressed": 0}
        out.append(rep)
    return out


def tested(figure: str, measure: str) -> tuple[str, str] | None:
    if figure == "A1":
        return "has_lvb", "all"
    if figure == "A2" and measure in ("victim_any_2010_2023", "profiles_differ"):
        return "is_victim", "all"
    if measure == "victim_recent_3y_before_first_ht":
        return "recent_victim_3y", "eligible offenders"
    if measure == "mean_victimisations_among_victims":
        return "n_victimisations", "victims"
    if measure.startswith("victim_type_pct_among_victims_"):
        return "victim_" + measure.removeprefix("victim_type_pct_among_victims_"), "victims"
    return None


def check_reproduction(tally: Tally, reps: list[Repro], results: Path) -> None:
    expected = []
    for rep in reps:
        p = rep.pub
        if p["measure"] == "peak_age_range":
            continue  # from the trajectory model: not recomputed here
        e = {"figure": p["figure"], "measure": p["measure"], "group": p["group"],
             "value": p["value"], "reproduced": rep.reproduced, "ci_low": rep.ci_low,
             "ci_high": rep.ci_high, "inside_ci": rep.inside if rep.inside != "" else "",
             "suppressed": rep.suppressed}
        for k, v in rep.sig.items():
            e[k] = Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
        expected.append(e)
    shown = read_csv(results / "reproduction.csv")
    compare_rows(tally, "reproduction.csv", shown[shown["measure"] != "peak_age_range"],
                 ["figure", "measure", "group"], expected,
                 ["value", "reproduced", "ci_low", "ci_high", "inside_ci", "suppressed",
                  "published_significance", "reproduced_band", "agrees", "statements_total",
                  "statements_agreeing", "statements_same_band", "statements_suppressed"])


@dataclass
class Agreement:
    inside: int
    compared: int
    published: int
    agreeing: int
    statements: int
    same: int
    numbers_withheld: int
    statements_withheld: int


def agreement(reps: list[Repro]) -> Agreement:
    def is_number(v: str) -> bool:
        try:
            float(v)
            return True
        except ValueError:
            return False

    published = [is_number(r.pub["value"]) for r in reps]
    return Agreement(
        inside=sum(r.inside is True for r in reps),
        compared=sum(isinstance(r.inside, bool) for r in reps),
        published=sum(published),
        agreeing=sum(r.sig["statements_agreeing"] for r in reps),
        statements=sum(r.sig["statements_total"] for r in reps),
        same=sum(r.sig["statements_same_band"] for r in reps),
        numbers_withheld=sum(p and r.suppressed for p, r in zip(published, reps, strict=True)),
        statements_withheld=sum(r.sig["statements_suppressed"] for r in reps))


def md_table(lines: list[str], heading: str) -> list[list[str]]:
    """The cells of the first pipe table under a heading."""
    try:
        start = lines.index(heading)
    except ValueError:
        return []
    out, inside = [], False
    for line in lines[start + 1:]:
        if line.startswith("|"):
            inside = True
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            out.append(cells)
        elif inside:
            break
    return out[2:]  # without the header and the rule


def check_markdown(tally: Tally, reps: list[Repro], agree: Agreement,
                   dq: list[dict[str, object]], results: Path) -> None:
    text_ = (results / "report.md").read_text()
    lines = text_.splitlines()
    m = re.search(r"\*\*(\d+) of (\d+) published numbers fall inside their 95% interval; "
                  r"(\d+) of (\d+) significance statements agree \((\d+) in the same", text_)
    want = (agree.inside, agree.compared, agree.agreeing, agree.statements, agree.same)
    names = ("inside", "compared", "statements agreeing", "statements", "same band")
    for i, (name, w) in enumerate(zip(names, want, strict=True)):
        tally.same("report.md", "summary line", name, m.group(i + 1) if m else "", Decimal(w))
    m = re.search(r"(\d+) numbers are published; (\d+) of them have no reproduced interval", text_)
    tally.same("report.md", "summary", "published", m.group(1) if m else "",
               Decimal(agree.published))
    tally.same("report.md", "summary", "without interval", m.group(2) if m else "",
               Decimal(agree.published - agree.compared))
    m = re.search(r"(\d+) published numbers and (\d+) significance statements could not be shown",
                  text_)
    tally.same("report.md", "summary", "numbers withheld", m.group(1) if m else "",
               Decimal(agree.numbers_withheld))
    tally.same("report.md", "summary", "statements withheld", m.group(2) if m else "",
               Decimal(agree.statements_withheld))
    numbers = md_table(lines, "## Numbers")
    if len(numbers) != len(reps):
        tally.diffs.append(Diff("report.md", "Numbers", "(rows)", str(len(numbers)),
                                str(len(reps))))
    for i, (cells, rep) in enumerate(zip(numbers, reps, strict=False)):
        p = rep.pub
        label = f"{i + 1} ({p['figure']}/{p['measure']}/{p['group']})"
        if cells[:3] != [p["figure"], p["measure"], p["group"]]:
            tally.diffs.append(Diff("report.md", label, "(row)", "/".join(cells[:3]), "order"))
            continue
        if p["measure"] == "peak_age_range":
            continue
        tally.same("report.md", label, "reproduced", cells[4],
                   parse(rep.reproduced) if rep.reproduced else None)
        # choice: the Markdown table gives reproduction.csv's interval (the table's precision,
        # rounded once from the unrounded bound), as reproduction.csv does
        interval = ("" if rep.ci_low is None or rep.ci_high is None else
                    f"[{table_text(rep.ci_low)}, {table_text(rep.ci_high)}]")
        tally.compared += 1
        tally.numbers += 2 if interval else 0
        if cells[5] != interval:
            tally.diffs.append(Diff("report.md", label, "95% interval", cells[5], interval))
        inside = "" if rep.inside == "" else "yes" if rep.inside else "no"
        tally.same("report.md", label, "inside", cells[6], inside)
    sig_rows = [r for r in reps if r.sig["published_significance"]]
    table = md_table(lines, "## Significance statements")
    for cells, rep in zip(table, sig_rows, strict=False):
        label = f"{rep.pub['figure']}/{rep.pub['measure']}/{rep.pub['group']}"
        tally.same("report.md", label, "reproduced band", cells[4], rep.sig["reproduced_band"])
        tally.same("report.md", label, "agrees", cells[5],
                   "yes" if rep.sig["agrees"] else "no")
    dq_cells = md_table(lines, "## Data quality")
    for cells, row in zip(dq_cells, dq, strict=False):
        label = f"{row['dataset']}/{row['finding']}"
        tally.same("report.md", label, "n_records", cells[2], row["n_records"])
    if len(dq_cells) != len(dq):
        tally.diffs.append(Diff("report.md", "Data quality", "(rows)", str(len(dq_cells)),
                                str(len(dq))))


def check_html(tally: Tally, reps: list[Repro], dq: list[dict[str, object]], project: Path,
               results: Path) -> None:
    """Every published number's row of report.html: published, reproduced and the interval,
    the bounds rounded once from the unrounded estimate to the report's precision
    (percentages 0 decimals, ratios and means 1; a count's bounds are the table's)."""
    page = (results / "report.html").read_text()
    lang_m = re.search(r'<html lang="(\w+)"', page)
    lang = lang_m.group(1) if lang_m else "nl"
    labels = seed_labels(project, lang)
    found = re.findall(
        r'<td class="measure">.*?</td>\s*<td>(.*?)</td>\s*<td class="num">(.*?)</td>\s*'
        r'<td class="num">(.*?)</td>\s*<td class="num interval">(.*?)</td>', page, re.S)
    found = [tuple(html.unescape(x).strip() for x in f) for f in found]
    # the page's order: sections sample, profiles, A1, A2, A3 (then any other), within a
    # section the rows grouped by unit (percentages together) in order of first appearance
    order = ["sample", "profiles", "A1", "A2", "A3"]
    figures = [f for f in order if any(r.pub["figure"] == f for r in reps)]
    figures += [f for f in dict.fromkeys(r.pub["figure"] for r in reps) if f not in figures]
    expected: list[Repro] = []
    for fig in figures:
        part = [r for r in reps if r.pub["figure"] == fig and r.pub["unit"] != "test"]
        units: dict[str, list[Repro]] = {}
        for r in part:
            units.setdefault("pct" if r.pub["unit"].startswith("pct") else r.pub["unit"],
                             []).append(r)
        for members in units.values():
            expected.extend(members)
    if len(found) != len(expected):
        tally.diffs.append(Diff("report.html", "numbers", "(rows)", str(len(found)),
                                str(len(expected))))

    def local(t: str) -> str:
        return t.replace(".", ",") if lang == "nl" else t

    for cells, rep in zip(found, expected, strict=False):
        p = rep.pub
        label = f"{p['figure']}/{p['measure']}/{p['group']}"
        group_label = labels.get(p["group"], p["group"])
        if cells[0] != group_label:
            tally.diffs.append(Diff("report.html", label, "group", cells[0], group_label))
            continue
        tally.same("report.html", label, "published", cells[1].replace(",", "."),
                   parse(p["value"]) if p["value"] else None)
        if p["measure"] == "peak_age_range":
            continue
        tally.same("report.html", label, "reproduced", cells[2].replace(",", "."),
                   parse(rep.reproduced) if rep.reproduced else None)
        places = report_places(p["unit"])
        if math.isnan(rep.exact_low) or math.isnan(rep.exact_high):
            interval = ""
        else:
            interval = (f"{local(text(hu(rep.exact_low, places)))}\u2013"
                        f"{local(text(hu(rep.exact_high, places)))}")
        tally.compared += 1
        tally.numbers += 2 if interval else 0
        if cells[3] != interval:
            tally.diffs.append(Diff("report.html", label, "interval", cells[3], interval))
    dq_found = re.findall(r'<tr><td>(.*?)</td><td>(.*?)</td><td class="num">(.*?)</td></tr>',
                          page, re.S)
    dq_index = {(html.unescape(a), html.unescape(b)): c for a, b, c in dq_found}
    for row in dq:
        key = (row["dataset"], row["finding"])
        if key not in dq_index:
            continue  # the page may word findings in its language: only matching rows compared
        tally.same("report.html", "/".join(key), "n_records", dq_index[key].replace(".", ""),
                   row["n_records"])


# --------------------------------------------------------------------------------------------
# trajectories: the observed means in bands of ages and the stated x estimated table


def check_trajectories(tally: Tally, s: Study, con: duckdb.DuckDBPyConnection,
                       results: Path) -> None:
    path = results / "table_trajectories.csv"
    present = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()}
    if not path.exists() or "fct_trajectory_person_ages" not in present:
        tally.notes.append("trajectory tables: not in this folder or warehouse, not compared")
        return
    pa = con.execute("select * from marts.fct_trajectory_person_ages order by all").df()
    model = int(pa["n_groups"].iloc[0]) if len(pa) else -1
    curves = con.execute("select * from marts.fct_trajectory_curves where n_groups = ?",
                         [model]).df()
    shown = read_csv(path)
    r = s.rules
    expected = []
    for group in sorted(curves["trajectory_group"].unique()):
        rows = pa[pa["trajectory_group"] == group]
        ages = sorted(int(a) for a in rows["age"].unique())
        bands = banding(rows, ages, r)
        curve = curves[curves["trajectory_group"] == group].sort_values("age")
        for age, *fitted in curve[["age", "expected", "lower", "upper"]].itertuples(
                index=False):
            age = int(age)
            at = rows[rows["age"] == age]
            n_obs = at[["rinpersoons", "rinpersoon"]].drop_duplicates().shape[0]
            ok = n_obs >= max(r.min_cell, 1)
            band_ = next((b for b in bands if b[0] <= age <= b[1]), None)
            mean = None
            if band_ is not None and band_[2] is not None:
                mean = band_[2]
            expected.append({"group": str(int(group)), "age": str(age),
                             "observed_mean": mean,
                             "band_from": Decimal(band_[0]) if band_ and mean is not None
                             else None,
                             "band_to": Decimal(band_[1]) if band_ and mean is not None
                             else None,
                             "n_observed": Decimal(r.r(n_obs)) if ok else None,
                             **{k: hu(v, 2) if ok else None for k, v in zip(
                                 ("expected", "lower", "upper"), fitted, strict=True)}})
    columns = ["expected", "lower", "upper", "observed_mean", "n_observed"]
    if "band_from" in shown.columns:
        columns += ["band_from", "band_to"]
    compare_rows(tally, "table_trajectories.csv", shown, ["group", "age"], expected, columns)
    check_cross_table(tally, s, results)


def check_cross_table(tally: Tally, s: Study, results: Path) -> None:
    """Stated by estimated profile (offenders): counts rounded; cells below the minimum and
    zeros withheld; a row or column never holds exactly one withheld cell (the next smallest,
    ties by the cell's profiles in code order, is withheld with it), repeated until stable."""
    path = results / "trajectory_agreement_table.csv"
    if not path.exists():
        return
    off = s.members(s.offenders)
    counts = {(a, b): int(((off["stated_profile"] == a) & (off["estimated_profile"] == b)).sum())
              for a in s.profiles for b in s.profiles}
    hidden = {c for c, n in counts.items() if n < max(s.rules.min_cell, 1)}
    lines = [[(a, b) for b in s.profiles] for a in s.profiles]
    lines += [[(a, b) for a in s.profiles] for b in s.profiles]
    changed = True
    while changed:
        changed = False
        for line in lines:
            lone = [c for c in line if c in hidden]
            shown = [c for c in line if c not in hidden]
            if len(lone) == 1 and shown:
                hidden.add(min(shown, key=lambda c: (counts[c], c)))
                changed = True
    expected = [{"stated_profile": a, "estimated_profile": b,
                 "n": None if (a, b) in hidden else Decimal(s.rules.r(n))}
                for (a, b), n in counts.items()]
    compare_rows(tally, "trajectory_agreement_table.csv", read_csv(path),
                 ["stated_profile", "estimated_profile"], expected, ["n"])


def band_stats(rows: pd.DataFrame, a: int, b: int) -> tuple[np.ndarray, float]:
    inside = rows[(rows["age"] >= a) & (rows["age"] <= b)]
    per = inside.groupby(["rinpersoons", "rinpersoon"])["n_cases"].sum()
    return per.to_numpy(dtype=float), float(inside["exposure"].sum())


def banding(rows: pd.DataFrame, ages: list[int], r: Rules
            ) -> list[tuple[int, int, Decimal | None]]:
    """docs/disclosure.md "Zeros": from the youngest age, pool ages until the band passes the
    magnitude rules and its mean (cases per observed person-year) is not 0 at the rule's
    decimals; ages left at the end join the band before them (and, should that fail, the one
    before that)."""
    def passes(a: int, b: int) -> Decimal | None:
        cases, years = band_stats(rows, a, b)
        if years <= 0 or not r.magnitude(cases):
            return None
        shown = hu(float(cases.sum() / years), r.mean_places)
        return None if shown == 0 else shown

    bands: list[tuple[int, int, Decimal | None]] = []
    start = 0
    for i in range(len(ages)):
        mean = passes(ages[start], ages[i])
        if mean is not None:
            bands.append((ages[start], ages[i], mean))
            start = i + 1
    if start < len(ages):
        left_from = ages[start]
        while bands:
            a, _, _ = bands.pop()
            mean = passes(a, ages[-1])
            if mean is not None:
                bands.append((a, ages[-1], mean))
                break
            left_from = a
        else:
            bands.append((left_from, ages[-1], None))
    return bands


# --------------------------------------------------------------------------------------------


def load(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    persons = con.execute("select * from marts.fct_study_persons "
                          "order by rinpersoons, rinpersoon").df()
    careers = con.execute("select * from marts.fct_offender_careers "
                          "order by rinpersoons, rinpersoon").df()
    dq = con.execute("select dataset, finding, n_records from marts.dq_findings").df()
    return persons, careers, dq


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--warehouse", type=Path, default=here / "data" / "blsu.duckdb")
    parser.add_argument("--project", type=Path, default=here,
                        help="where dbt_project.yml, seeds/ and published/ are")
    parser.add_argument("--round-base", type=int)
    parser.add_argument("--min-cell", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--quiet", action="store_true", help="only the summary line")
    args = parser.parse_args(argv)
    if not args.results.is_dir() or not args.warehouse.is_file():
        print(f"recompute: need a results folder and a warehouse file "
              f"({args.results}, {args.warehouse})", file=sys.stderr)
        return 2
    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        vars_ = vars_in_force(args.project, con)
        persons, careers, dq = load(con)
        rules = Rules(base=args.round_base or int(vars_["dc_rounding_base"]),
                      min_cell=args.min_cell if args.min_cell is not None
                      else int(vars_["dc_min_cell"]),
                      dom_n=int(vars_["dc_dominance_n"]),
                      dom_k=Fraction(str(vars_["dc_dominance_k"])),
                      p_ratio=Fraction(str(vars_["dc_p_ratio"])))
        seed = args.seed if args.seed is not None else int(vars_["matching_seed"])
        study = Study(persons, careers, rules, seed_codes(args.project, "study_groups"),
                      seed_codes(args.project, "profiles"),
                      seed_codes(args.project, "report_categories"), seed)
        tally = Tally()
        rows = study.all_rows()
        check_tables(tally, study, rows, args.results)
        shown_rows = {(r.figure, r.measure, r.group) for r in rows if not r.suppressed}
        tests = all_tests(study, shown_rows)
        check_tests(tally, tests, args.results)
        check_balance(tally, study, vars_, args.results)
        dq_rows = dq_expected(dq, rules)
        compare_rows(tally, "dq_findings.csv", read_csv(args.results / "dq_findings.csv"),
                     ["dataset", "finding"], dq_rows, ["n_records"])
        reps = reproduction(study, rows, tests, args.project)
        check_reproduction(tally, reps, args.results)
        agree = agreement(reps)
        check_markdown(tally, reps, agree, dq_rows, args.results)
        if (args.results / "report.html").exists():
            check_html(tally, reps, dq_rows, args.project, args.results)
        check_trajectories(tally, study, con, args.results)
        summary = json.loads((args.results / "summary.json").read_text())
        for key, want in (("numbers_inside", agree.inside), ("numbers_compared", agree.compared),
                          ("statements_agreeing", agree.agreeing), ("round_base", rules.base),
                          ("min_cell", rules.min_cell), ("seed", seed),
                          ("tests", len(tests))):
            tally.same("summary.json", "-", key, str(summary.get(key, "")), Decimal(want))
    finally:
        con.close()
    if not args.quiet:
        for d in tally.diffs:
            print(f"{d.file}\trow {d.row}\t{d.column}\tshown {d.shown!r}\trecomputed "
                  f"{d.recomputed!r}")
        for note in dict.fromkeys(tally.notes):
            print(f"note: {note}")
    print(f"recompute: {tally.compared} cells compared ({tally.numbers} holding a number), "
          f"{len(tally.diffs)} differ; {len(TIES)} roundings of an exact rational at a half "
          f"(e.g. {', '.join(sorted({str(t) for t in TIES})[:4]) or 'none'})")
    return 1 if tally.diffs else 0


if __name__ == "__main__":
    sys.exit(main())
