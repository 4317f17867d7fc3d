"""The trajectory model in the results: groups, peak ages, fitted curves and agreement.

Reads the trajectory marts (fct_trajectory_groups, fct_trajectory_curves,
agg_trajectory_observed_by_age) and the stated and estimated profiles of fct_study_persons.
Exports only aggregates: the cross table of stated by estimated profile with counts rounded and
cells below the minimum suppressed, Cohen's kappa (statsmodels) and the adjusted Rand index on
all offenders, rounded to two decimals (single statistics of a 4 x 4 table that give no cell
back), and the observed mean counts as controlled in the warehouse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules, is_suppressed, round_count
from python_stats.export import ResultsWriter
from python_stats.marts import PROFILES

TRAJECTORY_MARTS = ("fct_trajectory_groups", "fct_trajectory_curves",
                    "agg_trajectory_observed_by_age", "fct_trajectory_model_selection")
FIGURE_STEM = "trajectories"
COLOURS = {"incidenteel": "#7f7f7f", "vroeg_piek": "#1f77b4", "laat_piek": "#ff7f0e",
           "continu": "#d62728"}


@dataclass(frozen=True)
class TrajectoryMarts:
    selection: pd.DataFrame
    groups: pd.DataFrame  # groups of the reported model
    curves: pd.DataFrame  # curves of the reported model
    observed: pd.DataFrame
    profiles: pd.DataFrame  # offenders: stated_profile, estimated_profile

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
        observed = con.sql("select * from marts.agg_trajectory_observed_by_age").df()
        if observed.empty:
            return None
        k = int(observed["n_groups"].iloc[0])
        groups = con.sql(f"select * from marts.fct_trajectory_groups where n_groups = {k}").df()
        curves = con.sql(f"select * from marts.fct_trajectory_curves where n_groups = {k}").df()
        selection = con.sql("select * from marts.fct_trajectory_model_selection").df()
        profiles = con.sql(
            "select stated_profile, estimated_profile from marts.fct_study_persons "
            "where study_group = 'blsu'"
        ).df()
    finally:
        con.close()
    return TrajectoryMarts(selection.sort_values("n_groups"), groups.sort_values(
        "trajectory_group"), curves, observed, profiles)


def representative_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """One group per profile name: the largest when several groups share a name."""
    ordered = groups.sort_values("share", ascending=False)
    return ordered.drop_duplicates("profile").set_index("profile")


def peak_age_ranges(tm: TrajectoryMarts) -> dict[str, str]:
    """Per profile: the ages where its group's expected cases are at least half the peak."""
    rep = representative_groups(tm.groups)
    return {name: f"{int(row['peak_range_from'])}-{int(row['peak_range_to'])}"
            for name, row in rep.iterrows()}


def groups_table(tm: TrajectoryMarts) -> pd.DataFrame:
    """The reported model's groups: share (percent), classification, peak age and range."""
    g = tm.groups
    return pd.DataFrame({
        "k": g["n_groups"], "group": g["trajectory_group"], "profile": g["profile"],
        "share_pct": (100 * g["share"]).round(1), "share_se_pct": (100 * g["share_se"]).round(1),
        "assigned_share_pct": (100 * g["assigned_share"]).round(1),
        "avepp": g["avepp"].round(3), "occ": g["occ"].round(1), "peak_age": g["peak_age"],
        "peak_age_range": [f"{int(a)}-{int(b)}" for a, b in
                           zip(g["peak_range_from"], g["peak_range_to"], strict=True)],
        "expected_cases_at_peak": g["peak_expected"].round(2),
    }).reset_index(drop=True)


def selection_table(tm: TrajectoryMarts) -> pd.DataFrame:
    """The model-selection table (no counts of persons: N is in the text of the report)."""
    cols = ["n_groups", "n_params", "loglik", "bic_nagin", "bic_person_ages", "min_avepp",
            "min_occ", "min_share", "min_assigned_share", "is_admissible",
            "inadmissible_because", "is_selected", "n_starts", "n_distinct_optima"]
    out = tm.selection[cols].copy()
    # the table's minima are group diagnostics, not person values
    return out.rename(columns={"n_groups": "k", "min_avepp": "lowest_avepp",
                               "min_occ": "lowest_occ",
                               "min_share": "smallest_share",
                               "min_assigned_share": "smallest_assigned_share",
                               "n_params": "parameters", "n_starts": "starts",
                               "n_distinct_optima": "distinct_optima"})


def cross_table(tm: TrajectoryMarts, rules: DisclosureRules) -> pd.DataFrame:
    """Stated by estimated profile, counts rounded, cells below the minimum suppressed."""
    p = tm.profiles.dropna()
    counts = pd.crosstab(p["stated_profile"], p["estimated_profile"])
    counts = counts.reindex(index=list(PROFILES), columns=list(PROFILES), fill_value=0)
    rows = []
    for stated in PROFILES:
        for estimated in PROFILES:
            n = int(counts.loc[stated, estimated])
            rows.append({"stated_profile": stated, "estimated_profile": estimated,
                         "n": math.nan if is_suppressed((n,), rules.min_cell) and n > 0
                         else round_count(n, rules.round_base)})
    return pd.DataFrame(rows)


def agreement_statistics(tm: TrajectoryMarts) -> pd.DataFrame:
    """Cohen's kappa (statsmodels, with its 95% interval) and the adjusted Rand index."""
    from statsmodels.stats.inter_rater import cohens_kappa

    from gbtm.agreement import adjusted_rand_index

    p = tm.profiles.dropna()
    table = pd.crosstab(p["stated_profile"], p["estimated_profile"]).reindex(
        index=list(PROFILES), columns=list(PROFILES), fill_value=0)
    kappa = cohens_kappa(table.to_numpy())
    ari = adjusted_rand_index(p["stated_profile"].to_numpy(), p["estimated_profile"].to_numpy())
    agree = float(np.trace(table.to_numpy()) / table.to_numpy().sum())
    return pd.DataFrame([
        {"statistic": "cohens_kappa", "value": round(float(kappa.kappa), 2),
         "ci_low": round(float(kappa.kappa_low), 2), "ci_high": round(float(kappa.kappa_upp), 2)},
        {"statistic": "adjusted_rand_index", "value": round(ari, 2), "ci_low": math.nan,
         "ci_high": math.nan},
        {"statistic": "percent_agreement", "value": round(100 * agree), "ci_low": math.nan,
         "ci_high": math.nan},
    ])


def curves_table(tm: TrajectoryMarts) -> pd.DataFrame:
    """Fitted expected cases per year by age and group with the controlled observed means."""
    c = tm.curves.rename(columns={"trajectory_group": "group"})
    o = tm.observed.rename(columns={"trajectory_group": "group", "n_persons": "n_observed",
                                    "mean_cases_per_year": "observed_mean"})
    o = o.astype({"n_observed": "float64", "observed_mean": "float64"})
    out = c.merge(o[["group", "age", "n_observed", "observed_mean"]], on=["group", "age"],
                  how="left")
    cols = ["group", "profile", "age", "expected", "lower", "upper", "observed_mean",
            "n_observed"]
    return out[cols].sort_values(["group", "age"]).reset_index(drop=True)


def figure_trajectories(curves: pd.DataFrame, n_groups: int, lang: str):
    """Expected OM cases per year by age per group (95% band), observed means as points."""
    from python_stats.figures import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    seen: dict[str, int] = {}
    top = 0.0
    for group, c in curves.groupby("group"):
        # drawn where the group has at least the minimum cell of persons observed: a
        # polynomial says nothing where the group has no data
        c = c[c["n_observed"].notna()]
        if c.empty:
            continue
        name = str(c["profile"].iloc[0])
        colour = COLOURS.get(name, "black")
        style = ("-", "--", ":", "-.")[seen.get(name, 0) % 4]
        seen[name] = seen.get(name, 0) + 1
        ax.plot(c["age"], c["expected"], style, color=colour, label=f"{group}: {name}")
        ax.fill_between(c["age"], c["lower"], c["upper"], color=colour, alpha=0.15, linewidth=0)
        ax.plot(c["age"], c["observed_mean"], "o", color=colour, markersize=3)
        top = max(top, float(c["expected"].max()), float(c["observed_mean"].max(skipna=True)
                                                          if c["observed_mean"].notna().any()
                                                          else 0.0))
    ax.set_ylim(0, 1.3 * top if top > 0 else 1)
    dutch = lang == "nl"
    ax.set_xlabel("leeftijd" if dutch else "age")
    ax.set_ylabel("verwachte OM-zaken per jaar" if dutch else "expected OM cases per year")
    ax.set_title(
        (f"Trajectgroepen (K = {n_groups}): lijn = model met 95%-interval, punt = waargenomen"
         if dutch else
         f"Trajectory groups (K = {n_groups}): line = model with 95% interval, dot = observed"),
        fontsize=10)
    ax.legend(fontsize=8)
    return fig


def write_trajectory_results(tm: TrajectoryMarts, writer: ResultsWriter, lang: str) -> None:
    """Write the trajectory tables and the figure into the results folder."""
    rules = writer.rules
    curves = curves_table(tm)
    writer.table(selection_table(tm), "trajectory_model_selection.csv")
    writer.table(groups_table(tm), "trajectory_groups.csv")
    writer.table(curves, "table_trajectories.csv")
    writer.table(cross_table(tm, rules), "trajectory_agreement_table.csv")
    writer.table(agreement_statistics(tm), "trajectory_agreement.csv")
    fig = figure_trajectories(curves, tm.n_groups, lang)
    writer.figure(fig, FIGURE_STEM)
    from python_stats.figures import close

    close(fig)
