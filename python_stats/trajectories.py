"""The trajectory model in the results: groups, peak ages, fitted curves and agreement.

Reads the trajectory marts (fct_trajectory_model_selection, fct_trajectory_groups,
fct_trajectory_curves, fct_trajectory_observed_by_age) and the stated and estimated profiles of
fct_study_persons, and applies the disclosure rule (python_stats.disclosure) to everything it
exports (docs/trajectories.md, "Disclosure control"):

- model statistics of all persons (log-likelihood, BIC) with one decimal; group diagnostics
  (shares, AvePP, OCC, peak, curve) only for groups of at least the minimum cell of assigned
  persons, and where exactly one group of a model is withheld the next smallest with it;
- the curves only at ages where the group has at least the minimum cell of persons observed,
  the persons observed rounded; the observed means (cases per observed person-year) over bands
  of adjacent ages, pooled until each band passes the magnitude rules (`observed_bands`), with
  the rule's decimals;
- the cross table of stated by estimated profile rounded, cells below the minimum and zeros
  withheld (and where a row or column would hold exactly one withheld cell, the next smallest
  with it); Cohen's kappa, the adjusted Rand index and the percent agreement computed from
  shown numbers only: the rounded table when every cell is shown, else kappa and the agreement
  from its shown diagonal and rounded margins (the Rand index, which needs every cell,
  withheld); kappa where it is undefined (expected agreement 1) withheld with that reason.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules, MagnitudeVerdict, secondary_suppression
from python_stats.export import ResultsWriter
from python_stats.magnitudes import Band, GroupAges
from python_stats.marts import PROFILES, MartError
from python_stats.rounding import half_up, share

TRAJECTORY_MARTS = ("fct_trajectory_groups", "fct_trajectory_curves",
                    "fct_trajectory_observed_by_age", "fct_trajectory_model_selection")
PERSON_AGES = "fct_trajectory_person_ages"  # person-level: the observed means' contributions
FIGURE_STEM = "trajectories"
#: Colours of the profiles' curves, in the profiles seed's order.
PROFILE_COLOURS = ("#7f7f7f", "#1f77b4", "#ff7f0e", "#d62728")
COLOURS = dict(zip(PROFILES, PROFILE_COLOURS, strict=False))
MODEL_DECIMALS = 1  # log-likelihood and BIC
CURVE_DECIMALS = 2  # expected cases per year
SHARE_PCT_DECIMALS = 1
AVEPP_DECIMALS = 2
OCC_DECIMALS = 1
AGREEMENT_DECIMALS = 2


@dataclass(frozen=True)
class TrajectoryMarts:
    selection: pd.DataFrame
    groups: pd.DataFrame  # groups of the reported model
    curves: pd.DataFrame  # curves of the reported model
    observed: pd.DataFrame  # persons, cases and person-years by group and age
    profiles: pd.DataFrame  # offenders: stated_profile, estimated_profile
    all_groups: pd.DataFrame | None = None  # groups of every fitted K
    person_ages: pd.DataFrame | None = None  # offender x observed age: group, cases, exposure

    @property
    def n_groups(self) -> int:
        return int(self.groups["n_groups"].iloc[0])


def load_trajectories(db_path: Path) -> TrajectoryMarts | None:
    """The trajectory marts, or None for a warehouse built without them."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        present = {r[0] for r in con.sql(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()}
        if not set(TRAJECTORY_MARTS) <= present:
            return None
        observed = con.sql("select * from marts.fct_trajectory_observed_by_age").df()
        if observed.empty:
            return None
        if PERSON_AGES not in present:
            raise MartError(f"{db_path}: mart marts.{PERSON_AGES} does not exist; run "
                            "`blsu build` first")
        person_ages = read_person_ages(con)
        k = int(observed["n_groups"].iloc[0])
        all_groups = con.sql("select * from marts.fct_trajectory_groups").df()
        curves = con.sql(f"select * from marts.fct_trajectory_curves where n_groups = {k}").df()
        selection = con.sql("select * from marts.fct_trajectory_model_selection").df()
        profiles = con.sql(
            "select stated_profile, estimated_profile from marts.fct_study_persons "
            "where study_group = 'blsu'"
        ).df()
    finally:
        con.close()
    groups = all_groups[all_groups["n_groups"] == k].sort_values("trajectory_group")
    return TrajectoryMarts(selection.sort_values("n_groups"), groups.reset_index(drop=True),
                           curves, observed, profiles, all_groups, person_ages)


def read_person_ages(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The person-level rows behind the observed means, in a fixed order."""
    return con.sql(
        f"select rinpersoons, rinpersoon, trajectory_group, posterior_probability, age, "
        f"n_cases, exposure from marts.{PERSON_AGES} "
        f"order by trajectory_group, age, rinpersoons, rinpersoon"
    ).df()


def avepp_verdict(person_ages: pd.DataFrame | None, group: int,
                  rules: DisclosureRules) -> MagnitudeVerdict | None:
    """The magnitude rule on the posterior probabilities of a group's persons (its AvePP is
    their mean); None without the person-level rows."""
    if person_ages is None or "posterior_probability" not in person_ages:
        return None
    rows = person_ages[person_ages["trajectory_group"] == group].drop_duplicates(
        ["rinpersoons", "rinpersoon"])
    return rules.magnitude(rows["posterior_probability"].fillna(0), "AvePP")


def assigned_counts(groups: pd.DataFrame, selection: pd.DataFrame) -> pd.Series:
    """Persons assigned to each group (unrounded), from the assigned share and N of its K."""
    n = selection.set_index("n_groups")["n_persons"]
    return (groups["assigned_share"] * groups["n_groups"].map(n)).round().astype("int64")


def withheld_groups(groups: pd.DataFrame, counts: pd.Series,
                    rules: DisclosureRules) -> set[int]:
    """Groups (trajectory_group) of one model below the minimum cell of assigned persons, and
    the next smallest when exactly one would be withheld (the groups add up to N)."""
    suppressed = {int(g): not rules.passes((int(c),))
                  for g, c in zip(groups["trajectory_group"], counts, strict=True)}
    sizes = {int(g): float(c) for g, c in zip(groups["trajectory_group"], counts, strict=True)}
    hidden = {g for g, s in suppressed.items() if s}
    return hidden | secondary_suppression(suppressed, sizes)


def representative_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """One group per profile name: the largest when several groups share a name."""
    ordered = groups.sort_values("share", ascending=False)
    return ordered.drop_duplicates("profile").set_index("profile")


def peak_age_ranges(tm: TrajectoryMarts,
                    rules: DisclosureRules | None = None) -> dict[str, str]:
    """Per profile: the ages where its group's expected cases are at least half the peak (of
    groups the groups table shows, when disclosure rules are given)."""
    groups = tm.groups
    if rules is not None and not tm.selection.empty:
        hidden = withheld_groups(groups, assigned_counts(groups, tm.selection), rules)
        groups = groups[~groups["trajectory_group"].astype(int).isin(hidden)]
    rep = representative_groups(groups)
    return {name: f"{int(row['peak_range_from'])}-{int(row['peak_range_to'])}"
            for name, row in rep.iterrows()}


def groups_table(tm: TrajectoryMarts, rules: DisclosureRules) -> pd.DataFrame:
    """The reported model's groups: persons assigned (rounded), assigned share of the rounded
    counts, estimated share, classification, peak age and range; a withheld group shows none.
    AvePP (the mean posterior probability of the group's persons) and OCC (computed from it)
    pass the magnitude rule on those probabilities."""
    g = tm.groups.reset_index(drop=True)
    counts = assigned_counts(g, tm.selection)
    hidden = withheld_groups(g, counts, rules)
    n_total = int(counts.sum())
    rows = []
    for (_, rec), count in zip(g.iterrows(), counts, strict=True):
        shown = int(rec["trajectory_group"]) not in hidden
        n_assigned = rules.round(int(count)) if shown else math.nan
        # the total is withheld below the minimum, and beside a lone withheld group (a model
        # of one group, where no second group can be withheld with it): it would be that group
        total_shown = rules.passes((n_total,)) and len(hidden) != 1
        r_total = rules.round(n_total) if total_shown else math.nan
        verdict = avepp_verdict(tm.person_ages, int(rec["trajectory_group"]), rules)
        avepp_shown = shown and (verdict is None or verdict.passes)

        def value(x: object, places: int, shown: bool = shown) -> float:
            return half_up(x, places) if shown else math.nan

        rows.append({
            "k": int(rec["n_groups"]), "group": int(rec["trajectory_group"]),
            "profile": rec["profile"], "n_assigned": n_assigned, "n_total": r_total,
            "assigned_share_pct": value(share(int(n_assigned), int(r_total)),
                                        SHARE_PCT_DECIMALS)
            if shown and total_shown and r_total > 0 else math.nan,
            "share_pct": value(100 * rec["share"], SHARE_PCT_DECIMALS),
            "share_se_pct": value(100 * rec["share_se"], SHARE_PCT_DECIMALS),
            "avepp": value(rec["avepp"], AVEPP_DECIMALS, avepp_shown),
            "occ": value(rec["occ"], OCC_DECIMALS, avepp_shown) if pd.notna(rec["occ"])
            else math.nan,
            "peak_age": value(rec["peak_age"], 0),
            "peak_age_range": f"{int(rec['peak_range_from'])}-{int(rec['peak_range_to'])}"
            if shown else "",
            "expected_cases_at_peak": value(rec["peak_expected"], CURVE_DECIMALS),
        })
    return pd.DataFrame(rows)


def selection_table(tm: TrajectoryMarts, rules: DisclosureRules) -> pd.DataFrame:
    """The model-selection table: model statistics of all persons (log L, BIC: one decimal),
    the admissibility verdict, and the group diagnostics of a K only when every group of it has
    at least the minimum cell of assigned persons (N itself is in the groups table)."""
    all_groups = tm.all_groups if tm.all_groups is not None else tm.groups
    counts = assigned_counts(all_groups, tm.selection)
    small = set(all_groups.loc[counts < rules.min_cell, "n_groups"].astype(int))
    verdicts = [avepp_verdict(tm.person_ages, int(g), rules)
                for g in tm.groups["trajectory_group"]]
    if any(v is not None and not v.passes for v in verdicts):
        small.add(tm.n_groups)  # the lowest AvePP would be a withheld group's
    rows = []
    for rec in tm.selection.to_dict("records"):
        shown = int(rec["n_groups"]) not in small

        def diag(x: float, places: int, shown: bool = shown) -> float:
            return half_up(x, places) if shown and pd.notna(x) else math.nan

        rows.append({
            "k": int(rec["n_groups"]), "parameters": int(rec["n_params"]),
            "loglik": half_up(rec["loglik"], MODEL_DECIMALS),
            "bic_nagin": half_up(rec["bic_nagin"], MODEL_DECIMALS),
            "bic_person_ages": half_up(rec["bic_person_ages"], MODEL_DECIMALS),
            "lowest_avepp": diag(rec["min_avepp"], AVEPP_DECIMALS),
            "lowest_occ": diag(rec["min_occ"], OCC_DECIMALS),
            "smallest_share_pct": diag(100 * rec["min_share"], SHARE_PCT_DECIMALS),
            "is_admissible": bool(rec["is_admissible"]),
            "inadmissible_because": rec["inadmissible_because"] or "",
            "is_selected": bool(rec["is_selected"]),
            "starts": int(rec["n_starts"]), "distinct_optima": int(rec["n_distinct_optima"]),
        })
    return pd.DataFrame(rows)


def unrounded_cross_table(tm: TrajectoryMarts) -> pd.DataFrame:
    """Stated (rows) by estimated (columns) profile, unrounded: stays in the warehouse."""
    p = tm.profiles.dropna()
    return pd.crosstab(p["stated_profile"], p["estimated_profile"]).reindex(
        index=list(PROFILES), columns=list(PROFILES), fill_value=0)


def withheld_cells(counts: pd.DataFrame, rules: DisclosureRules) -> set[tuple[str, str]]:
    """Cells below the minimum, zeros (a zero cell states that no one of a stated profile has
    that estimated profile: disclosive, docs/disclosure.md), and per row and column the next
    smallest where exactly one would be withheld (the rows add up to the shown profile sizes)."""
    hidden = {(r, c) for r in counts.index for c in counts.columns
              if counts.loc[r, c] < max(rules.min_cell, 1)}
    changed = True
    while changed:
        changed = False
        lines = [[(r, c) for c in counts.columns] for r in counts.index]
        lines += [[(r, c) for r in counts.index] for c in counts.columns]
        for line in lines:
            suppressed = {cell: cell in hidden for cell in line}
            sizes = {cell: float(counts.loc[cell]) for cell in line}
            extra = secondary_suppression(suppressed, sizes)
            if extra - hidden:
                hidden |= extra
                changed = True
    return hidden


def cross_table(tm: TrajectoryMarts, rules: DisclosureRules) -> pd.DataFrame:
    """Stated by estimated profile, counts rounded, cells below the minimum and zeros
    withheld."""
    counts = unrounded_cross_table(tm)
    hidden = withheld_cells(counts, rules)
    rows = []
    for stated in PROFILES:
        for estimated in PROFILES:
            n = int(counts.loc[stated, estimated])
            rows.append({"stated_profile": stated, "estimated_profile": estimated,
                         "n": math.nan if (stated, estimated) in hidden
                         else rules.round(n)})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ShownMargins:
    """The margins of the stated x estimated cross table as the other tables show them: the
    stated profiles' sizes (table_profiles.csv; absent when withheld), the persons assigned
    per estimated profile (trajectory_groups.csv, summed over its groups; absent when a group
    of it is withheld) and their total. This is what an output checker recomputes kappa from."""

    rows: dict[str, float]
    cols: dict[str, float]
    total: float

    @classmethod
    def of(cls, profile_sizes: dict[str, float], groups: pd.DataFrame) -> ShownMargins:
        cols: dict[str, float] = {}
        for profile, rows in groups.groupby("profile"):
            values = rows["n_assigned"].astype(float)
            cols[str(profile)] = math.nan if values.isna().any() else float(values.sum())
        total = groups["n_total"].astype(float)
        return cls(dict(profile_sizes), cols, float(total.iloc[0]) if len(total) else math.nan)

    def are(self, rows: np.ndarray, cols: np.ndarray, total: float) -> bool:
        """True when the shown margins are exactly the cross table's rounded ones."""
        # a profile the tables do not show counts as 0, as the output check counts it
        return (all(self.rows.get(p, 0.0) == r for p, r in zip(PROFILES, rows, strict=True))
                and all(self.cols.get(p, 0.0) == c for p, c in zip(PROFILES, cols, strict=True))
                and self.total == total)


MARGINS_NOT_SHOWN = ("withheld: a cell is withheld and the cross table's rounded margins are "
                     "not the profile sizes and group sizes shown in table_profiles.csv and "
                     "trajectory_groups.csv, so kappa could not be checked from shown numbers")


def agreement_statistics(tm: TrajectoryMarts, rules: DisclosureRules,
                         shown: ShownMargins | None = None) -> pd.DataFrame:
    """Cohen's kappa with its 95% interval, the adjusted Rand index and the percent agreement,
    each computed from shown numbers only (docs/trajectories.md, "Disclosure control").

    With every cell of the rounded cross table shown: all three from that table (kappa and its
    interval by statsmodels). Otherwise kappa and the percent agreement need only the diagonal
    and the margins: the rounded margins are shown, and a withheld diagonal cell is bounded by
    what the shown cells leave of its row and column (`diagonal_bounds`). When that pins the
    diagonal down, kappa (interval: Cohen's large-sample standard error, which needs nothing
    more) and the agreement are shown; else the range of kappa (`cohens_kappa_range`). The
    adjusted Rand index needs every cell and is then withheld. With a cell withheld, kappa is
    shown only when the margins it uses are the ones the other tables show (`shown`), so that
    it is a function of shown numbers and the output check recomputes the same value.
    """
    from scipy.stats import norm

    table = cross_table(tm, rules)
    wide = table.pivot(index="stated_profile", columns="estimated_profile", values="n").reindex(
        index=list(PROFILES), columns=list(PROFILES))
    cells = wide.to_numpy(dtype=float)
    counts = unrounded_cross_table(tm).to_numpy()
    if not counts.sum():
        return _agreement_rows(NO_AGREEMENT, "no persons")
    if not np.isnan(cells).any():
        return _full_table_agreement(cells.astype(int))
    if len(p_all := tm.profiles) != len(tm.profiles.dropna()) or p_all.empty:
        return _agreement_rows(NO_AGREEMENT, "withheld: a cell is withheld and some offenders "
                               "have no estimated profile, so the margins of the cross table "
                               "are not the profile sizes shown")
    if not all(rules.passes((int(x),)) or x == 0
               for x in (*counts.sum(axis=1), *counts.sum(axis=0))):
        return _agreement_rows(NO_AGREEMENT, "withheld: a margin of the cross table is withheld")
    rows = np.array([rules.round(int(x)) for x in counts.sum(axis=1)], dtype=float)
    cols = np.array([rules.round(int(x)) for x in counts.sum(axis=0)], dtype=float)
    total = float(rules.round(int(counts.sum())))
    if total <= 0 or float(rows @ cols) >= total**2:
        return _agreement_rows(NO_AGREEMENT, UNDEFINED_KAPPA)
    if shown is None or not shown.are(rows, cols, total):
        return _agreement_rows(NO_AGREEMENT, MARGINS_NOT_SHOWN)
    low, high = diagonal_bounds(cells, rows, cols)
    p_e = float(rows @ cols / total**2)

    def kappa(diagonal: float) -> float:
        return (diagonal / total - p_e) / (1 - p_e)

    basis = ("the shown diagonal and rounded margins (a withheld diagonal cell: what the shown "
             "cells leave of its row and column); Rand index withheld: it needs every cell")
    if low != high:
        return _agreement_rows(
            Agreement(range_=(kappa(low), kappa(high))), f"range of kappa from {basis}")
    p_o = low / total
    se = math.sqrt(max(p_o * (1 - p_o), 0.0) / total) / (1 - p_e)
    z = float(norm.ppf(0.975))
    value = kappa(low)
    return _agreement_rows(
        Agreement(value, (value - z * se, value + z * se), agree=Fraction(int(low), int(total))),
        f"from {basis} (interval: Cohen's large-sample standard error)")


def diagonal_bounds(cells: np.ndarray, rows: np.ndarray, cols: np.ndarray
                    ) -> tuple[float, float]:
    """Least and greatest sum of the diagonal consistent with the shown cells and margins.

    `cells` holds the shown (rounded) counts with NaN for withheld cells. A withheld cell is at
    most what the shown cells leave of its row and of its column, and at least what is left of
    either after the other withheld cells of that line take their most. Bounds from shown
    numbers only: they reveal nothing the table does not.
    """
    hidden = np.isnan(cells)
    shown = np.where(hidden, 0.0, cells)
    row_left = np.clip(rows - shown.sum(axis=1), 0, None)
    col_left = np.clip(cols - shown.sum(axis=0), 0, None)
    most = np.where(hidden, np.minimum(row_left[:, None], col_left[None, :]), 0.0)
    least = np.zeros_like(most)
    for i, j in zip(*np.nonzero(hidden), strict=True):
        others_row = most[i].sum() - most[i, j]
        others_col = most[:, j].sum() - most[i, j]
        least[i, j] = max(0.0, row_left[i] - others_row, col_left[j] - others_col)
    diagonal = np.diag(shown).sum()
    return float(diagonal + np.diag(least).sum()), float(diagonal + np.diag(most).sum())


@dataclass(frozen=True)
class Agreement:
    """Agreement statistics before rounding (NaN: withheld)."""

    kappa: float = math.nan
    interval: tuple[float, float] = (math.nan, math.nan)
    ari: float = math.nan
    agree: float | Fraction = math.nan  # share of persons on the diagonal
    range_: tuple[float, float] | None = None


NO_AGREEMENT = Agreement()
UNDEFINED_KAPPA = ("withheld: kappa is undefined, the expected agreement of the rounded "
                   "margins is 1 (every person in one stated and one estimated profile)")


def _full_table_agreement(rounded: np.ndarray) -> pd.DataFrame:
    """Agreement statistics of a fully shown rounded cross table."""
    from statsmodels.stats.inter_rater import cohens_kappa

    from gbtm.agreement import adjusted_rand_index

    total = int(rounded.sum())
    expected = int(rounded.sum(axis=1) @ rounded.sum(axis=0))
    if total <= 0 or expected >= total**2:
        return _agreement_rows(NO_AGREEMENT, UNDEFINED_KAPPA)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # statsmodels also computes the standard error under kappa = 0, which is not used here
        # and warns where it is degenerate; the numbers used are checked below
        warnings.simplefilter("ignore", RuntimeWarning)
        kappa = cohens_kappa(rounded)
    values = (kappa.kappa, kappa.kappa_low, kappa.kappa_upp)
    if not all(math.isfinite(float(v)) for v in values):
        return _agreement_rows(NO_AGREEMENT, "withheld: kappa or its interval is not defined "
                               "for this table")
    stated = np.repeat(np.arange(len(rounded)), rounded.sum(axis=1))
    estimated = np.concatenate([np.repeat(np.arange(len(rounded)), row) for row in rounded])
    return _agreement_rows(
        Agreement(kappa.kappa, (kappa.kappa_low, kappa.kappa_upp),
                  adjusted_rand_index(stated, estimated),
                  Fraction(int(np.trace(rounded)), total)),
        "from the rounded cross table, every cell shown")


def _agreement_rows(a: Agreement, basis: str) -> pd.DataFrame:
    rows = [
        {"statistic": "cohens_kappa", "value": half_up(a.kappa, AGREEMENT_DECIMALS),
         "ci_low": half_up(a.interval[0], AGREEMENT_DECIMALS),
         "ci_high": half_up(a.interval[1], AGREEMENT_DECIMALS), "basis": basis},
        {"statistic": "adjusted_rand_index", "value": half_up(a.ari, AGREEMENT_DECIMALS),
         "ci_low": math.nan, "ci_high": math.nan, "basis": basis},
        {"statistic": "percent_agreement", "value": half_up(100 * a.agree, 0),
         "ci_low": math.nan, "ci_high": math.nan, "basis": basis},
    ]
    if a.range_ is not None:
        rows.append({"statistic": "cohens_kappa_range", "value": math.nan,
                     "ci_low": half_up(a.range_[0], AGREEMENT_DECIMALS),
                     "ci_high": half_up(a.range_[1], AGREEMENT_DECIMALS), "basis": basis})
    return pd.DataFrame(rows)


def curves_table(tm: TrajectoryMarts, rules: DisclosureRules) -> pd.DataFrame:
    """Fitted expected cases per year by age and group, only where the group has at least the
    minimum cell of persons observed, and the observed cases per observed person-year of the
    band of adjacent ages each age falls in (`observed_bands`): one mean per band, written on
    each of its ages with the band's first and last age."""
    c = tm.curves.rename(columns={"trajectory_group": "group"})
    o = tm.observed.rename(columns={"trajectory_group": "group"})
    out = c.merge(o[["group", "age", "n_persons"]], on=["group", "age"], how="left")
    passes = out["n_persons"].fillna(0) >= rules.min_cell
    if rules.min_cell == 0:
        passes = out["n_persons"].notna()
    out["n_observed"] = [rules.round(n) if ok else math.nan
                         for n, ok in zip(out["n_persons"], passes, strict=True)]
    for column in ("expected", "lower", "upper"):
        out[column] = [half_up(v, CURVE_DECIMALS) if ok else math.nan
                       for v, ok in zip(out[column], passes, strict=True)]
    bands = {int(g): observed_bands(GroupAges(tm.person_ages, int(g)), rules)
             for g in out["group"].unique()} if tm.person_ages is not None else {}
    where: dict[tuple[int, int], Band] = {
        (g, age): b for g, found in bands.items() for b in found
        for age in range(b.age_from, b.age_to + 1)}
    found = [where.get((int(g), int(a))) for g, a in zip(out["group"], out["age"], strict=True)]
    out["band_from"] = [b.age_from if b else math.nan for b in found]
    out["band_to"] = [b.age_to if b else math.nan for b in found]
    out["observed_mean"] = [half_up(b.mean, rules.mean_decimals) if b else math.nan
                            for b in found]
    cols = ["group", "profile", "age", "expected", "lower", "upper", "n_observed", "band_from",
            "band_to", "observed_mean"]
    return out[cols].sort_values(["group", "age"]).reset_index(drop=True)


def observed_bands(ages: GroupAges, rules: DisclosureRules) -> list[Band]:
    """The bands of adjacent observed ages of one group whose observed means may be shown.

    From the youngest age on, ages are pooled until the band passes the magnitude rule on its
    persons' cases (at least the minimum cell of persons observed in it, no dominance by the
    largest contributions, p-ratio, not every person with the same number of cases, and so
    not a zero, nor a mean that shows as 0, which would read as "no cases"); then the next band
    starts. Ages left at the end that do not pass on their own
    join the band before them (and that one the band before it, until the pooled band passes).
    Nothing is shown where no pooling passes. Deterministic: the same persons give the same
    bands."""
    observed = ages.observed_ages
    if not observed:
        return []

    def verdict(first: int, last: int) -> Band | None:
        candidate = ages.band(first, last)
        return candidate if band_verdict(candidate, rules).passes else None

    bands: list[Band] = []
    start = 0
    for i, age in enumerate(observed):
        found = verdict(observed[start], age)
        if found is not None:
            bands.append(found)
            start = i + 1
    if start < len(observed):  # ages at the end that did not pass on their own
        first = observed[start]
        while bands:
            first = bands.pop().age_from
            found = verdict(first, observed[-1])
            if found is not None:
                bands.append(found)
                break
    return bands


def band_verdict(band: Band, rules: DisclosureRules) -> MagnitudeVerdict:
    """The magnitude rule on a band's persons' cases, and its mean not shown as 0."""
    verdict = rules.magnitude(band.cases, "observed mean")
    if verdict.passes and half_up(band.mean, rules.mean_decimals) == 0:
        return MagnitudeVerdict(False, "observed mean that would show as 0")
    return verdict


def figure_trajectories(curves: pd.DataFrame, n_groups: int, lang: str):
    """Expected OM cases per year by age per group (95% band), observed means as points."""
    from python_stats.figures import pyplot
    from python_stats.labels import labels

    lab = labels(lang)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    seen: dict[str, int] = {}
    top = 0.0
    for group, rows in curves.groupby("group"):
        # drawn where the group has at least the minimum cell of persons observed: a
        # polynomial says nothing where the group has no data
        c = rows[rows["n_observed"].notna()]
        if c.empty:
            continue
        name = str(c["profile"].iloc[0])
        colour = COLOURS.get(name, "black")
        style = ("-", "--", ":", "-.")[seen.get(name, 0) % 4]
        seen[name] = seen.get(name, 0) + 1
        ax.plot(c["age"], c["expected"], style, color=colour,
                label=f"{group}: {lab.get(name, name)}")
        ax.fill_between(c["age"], c["lower"], c["upper"], color=colour, alpha=0.15, linewidth=0)
        # the observed mean of each band of ages: a step over the band, a dot at its middle
        bands = rows[rows["observed_mean"].notna()].drop_duplicates(["band_from", "band_to"])
        for band in bands.to_dict("records"):
            ax.plot([band["band_from"] - 0.5, band["band_to"] + 0.5],
                    [band["observed_mean"]] * 2, "-", color=colour, linewidth=1, alpha=0.7)
            ax.plot([(band["band_from"] + band["band_to"]) / 2], [band["observed_mean"]], "o",
                    color=colour, markersize=3)
        top = max(top, float(c["expected"].max()),
                  float(bands["observed_mean"].max()) if len(bands) else 0.0)
    ax.set_ylim(0, 1.3 * top if top > 0 else 1)
    dutch = lang == "nl"
    ax.set_xlabel("leeftijd" if dutch else "age")
    ax.set_ylabel("verwachte OM-zaken per jaar" if dutch else "expected OM cases per year")
    ax.set_title(
        (f"Trajectgroepen (K = {n_groups}): lijn = model met 95%-interval, punt en streep = "
         "waargenomen (per leeftijdsband)" if dutch else
         f"Trajectory groups (K = {n_groups}): line = model with 95% interval, dot and step = "
         "observed (per age band)"),
        fontsize=10)
    if seen:  # nothing drawn (every group below the minimum cell): no legend to show
        ax.legend(fontsize=8)
    return fig


@dataclass(frozen=True)
class TrajectoryExport:
    """What the report shows of the trajectory model: controlled tables and the figure."""

    n_groups: int
    groups: pd.DataFrame
    agreement: pd.DataFrame
    figure: Path
    zero_cells: int = 0  # zero cells of the cross table, withheld
    observed_ages: int = 0  # (group, age) pairs with anyone observed
    banded_ages: int = 0  # of those, the ages whose band's observed mean is shown
    bands: int = 0  # bands of ages with a shown observed mean


def write_trajectory_results(tm: TrajectoryMarts, writer: ResultsWriter,
                             lang: str, draw: bool = True,
                             profile_sizes: dict[str, float] | None = None
                             ) -> TrajectoryExport:
    """Write the trajectory tables and (unless `draw` is off) the figure into the results
    folder. `profile_sizes` are the stated profiles' sizes as table_profiles.csv shows them."""
    rules = writer.rules
    curves = curves_table(tm, rules)
    writer.table(selection_table(tm, rules), "trajectory_model_selection.csv")
    groups = groups_table(tm, rules)
    agreement = agreement_statistics(tm, rules, ShownMargins.of(profile_sizes or {}, groups))
    writer.table(groups, "trajectory_groups.csv")
    writer.table(curves, "table_trajectories.csv")
    writer.table(cross_table(tm, rules), "trajectory_agreement_table.csv")
    writer.table(agreement, "trajectory_agreement.csv")
    shown = curves[curves["observed_mean"].notna()]
    counts = {"zero_cells": int((unrounded_cross_table(tm).to_numpy() == 0).sum()),
              "observed_ages": len(tm.observed),
              "banded_ages": len(shown.merge(tm.observed.rename(
                  columns={"trajectory_group": "group"})[["group", "age"]])),
              "bands": len(shown.drop_duplicates(["group", "band_from", "band_to"]))}
    if not draw:
        return TrajectoryExport(tm.n_groups, groups, agreement,
                                writer.results_dir / f"{FIGURE_STEM}.png", **counts)
    fig = figure_trajectories(curves, tm.n_groups, lang)
    png = writer.figure(fig, FIGURE_STEM)[0]
    from python_stats.figures import close

    close(fig)
    return TrajectoryExport(tm.n_groups, groups, agreement, png, **counts)
