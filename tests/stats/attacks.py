"""An outside reviewer's attempts to undo disclosure control from the exported files alone.

Every attack works only on what a results folder shows. It assumes, as a reviewer would, that
shown shares, intervals and effect sizes were computed from the true counts, and lists every true
count (k, n) that fits all of them. A count is *recovered* when exactly one candidate fits and
it is the true one, for a count that is suppressed or whose true value differs from the rounded
value shown (a rounded count that happens to be exact reveals nothing the reader can be sure of).
The true counts come from the warehouse, only to judge the attacks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from python_stats.marts import PROFILES

MIN_CELL = 10
HALF = 2  # half the rounding base 5: a shown count R covers R-2 .. R+2


@dataclass(frozen=True)
class Recovery:
    """One count an attack pinned down to its true value."""

    attack: str
    where: str
    value: int


def read(folder: Path, name: str) -> pd.DataFrame:
    """A results file with every cell as written."""
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def places(text: str) -> int:
    """Decimals of a number as written."""
    exponent = Decimal(text).as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def half_up(values: np.ndarray, digits: int) -> np.ndarray:
    """Half-up rounding, as the exports round."""
    return np.floor(values * 10**digits + 0.5 + 1e-9) / 10**digits


def box(text: str, upper: int) -> np.ndarray:
    """The true counts consistent with a shown count (all 0..upper when withheld)."""
    if text == "":
        return np.arange(0, upper + 1)
    shown = int(float(text))
    return np.arange(max(0, shown - HALF), shown + HALF + 1)


def share_candidates(row: dict[str, str], scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(k, n) pairs consistent with a row's share, its interval, n and n_events, assuming they
    were computed from the true counts."""
    ns = box(row["n"], 5000)
    pairs = [(k, n) for n in ns for k in box(row.get("n_events", ""), int(n)) if k <= n]
    if not pairs:
        return np.array([]), np.array([])
    k, n = (np.array(x, dtype=float) for x in zip(*pairs, strict=True))
    keep = n > 0
    value = row["value"]
    if value != "":
        keep &= half_up(scale * k / np.maximum(n, 1), places(value)) == float(value)
    for bound, side in (("ci_low", 0), ("ci_high", 1)):
        text = row.get(bound, "")
        if text and scale == 100.0:
            ci = np.asarray(proportion_confint(k, np.maximum(n, 1), method="wilson"))[side]
            keep &= half_up(100 * ci, places(text)) == float(text)
    return k[keep], n[keep]


def rounded(count: int) -> int:
    """A count rounded to the base 5, halves up."""
    return (count + HALF) // 5 * 5


def pinned(candidates: np.ndarray, truth: int, shown: str) -> bool:
    """True when the candidates single out the true value and it is more than was shown."""
    values = set(candidates.astype(int).tolist())
    return values == {truth} and (shown == "" or int(float(shown)) != truth)


def attack_shares(folder: Path, truth: dict[tuple[str, str, str], tuple[int, int]]
                  ) -> list[Recovery]:
    """Shares beside their n (and their Wilson intervals) in the tables."""
    out = []
    for name in ("table_A1.csv", "table_A2.csv", "table_A3.csv", "table_profiles.csv"):
        for row in read(folder, name).to_dict("records"):
            key = (row["figure"], row["measure"], row["group"])
            if not row["unit"].startswith("pct") or key not in truth or row["value"] == "":
                continue
            k, n = share_candidates(row, 100.0)
            true_k, true_n = truth[key]
            if pinned(k, true_k, row["n_events"]):
                out.append(Recovery("share and interval", f"{name} {key} k", true_k))
            if pinned(n, true_n, row["n"]):
                out.append(Recovery("share and interval", f"{name} {key} n", true_n))
    return out


def attack_balance(folder: Path, truth: dict[tuple[str, str], tuple[int, int]]
                   ) -> list[Recovery]:
    """Binary covariates' shares beside the group sizes in balance.csv."""
    out = []
    for row in read(folder, "balance.csv").to_dict("records"):
        if row["type"] != "binary":
            continue
        for side, group in (("blsu", "blsu"), ("control", row["control_group"])):
            key = (row["covariate"], group)
            if row[f"mean_{side}"] == "" or key not in truth:
                continue
            k, _ = share_candidates({"value": row[f"mean_{side}"], "n": row[f"n_{side}"]}, 1.0)
            # the share is of the rounded count: learning that count is what rounding allows
            if pinned(k, truth[key][0], str(rounded(truth[key][0]))):
                out.append(Recovery("balance share", f"balance.csv {key}", truth[key][0]))
    return out


def cohen_h(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Cohen's h of two shares."""
    return 2 * np.arcsin(np.sqrt(k1 / n1)) - 2 * np.arcsin(np.sqrt(k2 / n2))


def chi_square_2x2(ka: np.ndarray, na: np.ndarray, kb: np.ndarray, nb: np.ndarray
                   ) -> np.ndarray:
    """Pearson's chi-square of the 2 x 2 tables [[ka, na - ka], [kb, nb - kb]] (no correction)."""
    total, events = na + nb, ka + kb
    with np.errstate(divide="ignore", invalid="ignore"):
        return total * (ka * (nb - kb) - kb * (na - ka)) ** 2 / (
            na * nb * events * (total - events))


def attack_effect_sizes(folder: Path, truth: dict[tuple[str, str, str], tuple[int, int]],
                        rows_of: dict[tuple[str, str], tuple[str, str]]) -> list[Recovery]:
    """Cohen's h and the chi-square statistic of pair tests solved for each group's count, the
    other group's count taken from the tables (the attack that brought back suppressed counts
    from sin^2(h/2))."""
    tables = pd.concat([read(folder, f"table_{x}.csv") for x in ("A1", "A2", "A3", "profiles")])
    shown = {(r["figure"], r["measure"], r["group"]): r for r in tables.to_dict("records")}
    out = []
    for row in read(folder, "tests.csv").to_dict("records"):
        target = rows_of.get((row["measure"], row["population"]))
        if row["effect_kind"] != "cohen_h" or row["effect_size"] == "" or target is None:
            continue
        keys = [(*target, g) for g in row["groups"].split(" vs ")]
        if any(k not in shown or k not in truth for k in keys):
            continue
        grids = []
        for key in keys:
            ns = box(shown[key]["n"], 3000)
            pairs = [(k, n) for n in ns for k in box(shown[key]["n_events"], int(n)) if k <= n]
            grids.append(np.array(pairs, dtype=float))
        a, b = grids
        ka, na = np.repeat(a[:, 0], len(b)), np.repeat(a[:, 1], len(b))
        kb, nb = np.tile(b[:, 0], len(a)), np.tile(b[:, 1], len(a))
        ok = (na > 0) & (nb > 0)
        h = cohen_h(ka, np.maximum(na, 1), kb, np.maximum(nb, 1))
        ok &= half_up(h, places(row["effect_size"])) == float(row["effect_size"])
        if row["test"] == "chi-square" and row["statistic"] != "":
            statistic = chi_square_2x2(ka, na, kb, nb)
            ok &= np.isclose(half_up(statistic, places(row["statistic"])),
                             float(row["statistic"]))
        for key, k in zip(keys, (ka[ok], kb[ok]), strict=True):
            if pinned(k, truth[key][0], shown[key]["n_events"]):
                out.append(Recovery("Cohen's h", f"tests.csv {row['groups']} {key}",
                                    truth[key][0]))
    return out


def attack_differences(folder: Path, truth: dict[tuple[str, str, str], tuple[int, int]]
                       ) -> list[Recovery]:
    """The offenders' total minus the shown profiles, for each count column of each measure."""
    out = []
    for name in ("table_A1.csv", "table_A2.csv", "table_A3.csv", "table_profiles.csv"):
        frame = read(folder, name)
        for (figure, measure), rows in frame.groupby(["figure", "measure"], sort=False):
            by_group = {r["group"]: r for r in rows.to_dict("records")}
            if "blsu" not in by_group or not all(p in by_group for p in PROFILES):
                continue
            for column, position in (("n_events", 0), ("n", 1)):
                total = by_group["blsu"][column]
                if total == "":
                    continue
                ranges = {p: (0, 10**6) if by_group[p][column] == "" else
                          (int(float(by_group[p][column])) - HALF,
                           int(float(by_group[p][column])) + HALF) for p in PROFILES}
                for part in PROFILES:
                    key = (figure, measure, part)
                    if by_group[part][column] != "" or key not in truth:
                        continue
                    others = [ranges[p] for p in PROFILES if p != part]
                    low = int(float(total)) - HALF - sum(r[1] for r in others)
                    high = int(float(total)) + HALF - sum(r[0] for r in others)
                    low = max(low, 0)
                    if low == high == truth[key][position]:
                        out.append(Recovery("total minus parts", f"{name} {key} {column}",
                                            low))
    return out


def attack_means(folder: Path, truth: dict[tuple[str, str, str], tuple[int, int]]
                 ) -> list[Recovery]:
    """A mean of whole numbers beside its rounded n: which group sizes admit a whole sum?"""
    out = []
    for name in ("table_A2.csv", "table_profiles.csv"):
        for row in read(folder, name).to_dict("records"):
            key = (row["figure"], row["measure"], row["group"])
            if row["unit"] not in ("count", "cases") or row["value"] == "" or key not in truth:
                continue
            mean, digits = float(row["value"]), places(row["value"])
            fits = []
            for n in box(row["n"], 5000):
                if n == 0:
                    continue
                sums = np.arange(math.floor((mean - 1) * n), math.ceil((mean + 1) * n) + 1)
                if (half_up(sums / n, digits) == mean).any():
                    fits.append(n)
            if pinned(np.array(fits), truth[key][1], row["n"]):
                out.append(Recovery("mean of whole numbers", f"{name} {key} n", truth[key][1]))
    return out


def line_bounds(total: tuple[int, int], cells: list[str], cap: int) -> list[tuple[int, int]]:
    """For each withheld cell of a line that adds up to a total known within `total`: the
    interval of values left for it (at most `cap`) by the total and the other cells (shown ones
    within the rounding, zeros exact, withheld ones unknown: they may be secondary)."""
    ranges = [(0, 10**6) if c == "" else (0, 0) if float(c) == 0 else
              (int(float(c)) - HALF, int(float(c)) + HALF) for c in cells]
    out = []
    for i, cell in enumerate(cells):
        if cell != "":
            continue
        others = [r for j, r in enumerate(ranges) if j != i]
        low = max(0, total[0] - sum(r[1] for r in others))
        high = min(cap, total[1] - sum(r[0] for r in others))
        out.append((i, low, high))
    return out


def attack_trajectories(folder: Path, cross: dict[tuple[str, str], int],
                        groups: dict[int, int]) -> list[Recovery]:
    """The trajectory tables: each row of the stated x estimated cross table against the
    stated profile's size (table_profiles.csv), each column against the estimated profile's
    assigned persons (trajectory_groups.csv), and the groups against their total."""
    out = []
    if not (folder / "trajectory_agreement_table.csv").exists():
        return out
    table = read(folder, "trajectory_agreement_table.csv")
    profiles = read(folder, "table_profiles.csv")
    sizes = {r["group"]: r["n_events"] for r in profiles.to_dict("records")
             if r["measure"] == "share"}
    assigned = read(folder, "trajectory_groups.csv")
    by_profile: dict[str, list[str]] = {}
    for r in assigned.to_dict("records"):
        by_profile.setdefault(r["profile"], []).append(r["n_assigned"])
    cap = MIN_CELL - 1
    lines = []
    for stated, rows in table.groupby("stated_profile"):
        if sizes.get(stated, "") != "":
            shown = int(float(sizes[stated]))
            lines.append(([(stated, e) for e in rows["estimated_profile"]], list(rows["n"]),
                          (shown - HALF, shown + HALF)))
    for estimated, rows in table.groupby("estimated_profile"):
        parts = by_profile.get(estimated, [])
        if parts and all(p != "" for p in parts):
            shown = sum(int(float(p)) for p in parts)
            lines.append(([(s, estimated) for s in rows["stated_profile"]], list(rows["n"]),
                          (shown - HALF * len(parts), shown + HALF * len(parts))))
    for keys, cells, total in lines:
        for i, low, high in line_bounds(total, cells, cap):
            if low == high == cross.get(keys[i], -1):
                out.append(Recovery("cross table line minus shown cells",
                                    f"trajectory_agreement_table.csv {keys[i]}", low))
    if not assigned.empty and assigned["n_total"].iloc[0] != "":
        total = int(float(assigned["n_total"].iloc[0]))
        cells = list(assigned["n_assigned"])
        for i, low, high in line_bounds((total - HALF, total + HALF), cells, 10**6):
            group = int(assigned["group"].iloc[i])
            if low == high == groups.get(group, -1):
                out.append(Recovery("groups minus shown groups",
                                    f"trajectory_groups.csv group {group}", low))
    return out
