"""Small random studies in the marts' layout, trajectory marts included, for the property test
(tests/stats/test_property.py) and its longer run (benchmarks/disclosure_property.py).

Each seed gives one study: group sizes from a handful to a few hundred, a random mix of
profiles (some empty, some exactly at the minimum cell), random rates of LVB, victimisation and
victim types, heavy-tailed case counts (so that one or two persons can dominate a mean), and
groups whose share is exactly at a rounding half (45 of 80 is 56.25%). The trajectory marts are
drawn from a random assignment of the offenders to 1-4 groups with Poisson cases by age (no
model is fitted: the statistics only read the marts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from fixture_db import VICTIM_TYPES, write_marts

PROFILES = ("incidenteel", "vroeg_piek", "laat_piek", "continu")
SIZES = (10, 11, 12, 14, 15, 16, 20, 25, 30, 40, 45, 60, 80, 80, 120, 200)


@dataclass
class Study:
    persons: pd.DataFrame
    careers: pd.DataFrame
    dq: pd.DataFrame
    trajectories: dict[str, pd.DataFrame] = field(default_factory=dict)


def profile_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """How many offenders each profile has: a random mix, now and then one exactly at the
    minimum cell or empty."""
    weights = rng.dirichlet(np.full(len(PROFILES), rng.choice([0.3, 1.0, 5.0])))
    counts = rng.multinomial(n, weights)
    if rng.random() < 0.3 and n >= 20:
        i = int(rng.integers(len(PROFILES)))
        j = (i + 1) % len(PROFILES)
        moved = counts[i] - 10
        counts[i], counts[j] = 10, counts[j] + moved
        if counts[j] < 0:
            counts = rng.multinomial(n, weights)
    return counts


def exact_flags(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """n flags with about `rate` true; groups of 80 get exactly 45 (a share at a half)."""
    if n == 80 and rng.random() < 0.5:
        flags = np.zeros(n, dtype=bool)
        flags[rng.choice(n, 45, replace=False)] = True
        return flags
    if rng.random() < 0.15:  # exactly the minimum cell of each
        k = min(10, n)
        flags = np.zeros(n, dtype=bool)
        flags[rng.choice(n, k, replace=False)] = True
        return flags
    return rng.random(n) < rate


def group_frame(rng: np.random.Generator, group: str, n: int, start: int,
                profiles: np.ndarray | None) -> pd.DataFrame:
    """One study group's persons."""
    victim = exact_flags(rng, n, float(rng.uniform(0.0, 0.95)))
    extra = rng.choice([0.0, 0.5, 2.0])
    counts = np.where(victim, 1 + rng.poisson(extra, n), 0)
    if rng.random() < 0.2 and victim.any():  # one person with very many victimisations
        counts[int(np.flatnonzero(victim)[0])] = int(rng.integers(30, 300))
    frame = pd.DataFrame({
        "rinpersoons": "R", "rinpersoon": [f"{start + i:09d}" for i in range(n)],
        "study_group": group, "profile": profiles,
        "sex": np.where(rng.random(n) < 0.85, "1", "2"),
        "birth_year": rng.integers(1960, 2001, n), "birth_month": rng.integers(1, 13, n),
        "migration_generation": rng.choice(["0", "1", "2", None], n),
        "has_lvb": exact_flags(rng, n, float(rng.uniform(0.0, 0.4))),
        "is_victim": victim, "n_victimisations": counts,
    })
    for kind in VICTIM_TYPES:
        frame[f"victim_{kind}"] = victim & (rng.random(n) < rng.uniform(0.0, 0.8))
    if group == "blsu":
        days = rng.integers(0, 3097, n)
        first = [dt.date(2008, 1, 1) + dt.timedelta(days=int(d)) for d in days]
        eligible = np.array([d >= dt.date(2013, 1, 1) for d in first])
        recent = victim & (rng.random(n) < rng.uniform(0.0, 0.9))
        frame["first_ht_date"] = first
        frame["recent_victim_eligible"] = eligible
        frame["recent_victim_3y"] = pd.array(np.where(eligible, recent, None), dtype="boolean")
        frame["stated_profile"] = profiles
    return frame


def careers_of(rng: np.random.Generator, offenders: pd.DataFrame) -> pd.DataFrame:
    """OM careers: heavy-tailed case counts, ages, cases before the first HT case."""
    n = len(offenders)
    before = rng.negative_binomial(1, 1 / (1 + rng.uniform(0, 10)), n)
    after = rng.poisson(rng.uniform(0, 6), n)
    if rng.random() < 0.25 and n:  # one offender with a very long record
        after[int(rng.integers(n))] += int(rng.integers(50, 500))
    if rng.random() < 0.1:  # nobody with a case before the first HT case
        before[:] = 0
    first = np.maximum(12.0, rng.normal(rng.uniform(14, 30), rng.uniform(0.5, 6), n))
    return pd.DataFrame({
        "rinpersoons": offenders["rinpersoons"].to_numpy(),
        "rinpersoon": offenders["rinpersoon"].to_numpy(),
        "profile": offenders["profile"].to_numpy(),
        "birth_year": offenders["birth_year"].to_numpy(),
        "birth_month": offenders["birth_month"].to_numpy(),
        "first_ht_date": offenders["first_ht_date"].to_numpy(),
        "n_cases": before + 1 + after, "first_offence_date": None,
        "age_first_offence": np.round(first, 4),
        "age_first_ht": np.round(first + np.where(before > 0, rng.uniform(0, 10, n), 0), 4),
        "n_cases_before_first_ht": before, "starts_with_ht": before == 0,
    })


def trajectory_marts(rng: np.random.Generator, persons: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Random trajectory marts of the offenders and their estimated profiles (set in
    `persons`): K groups, person x age rows with Poisson cases, the aggregates over them."""
    offenders = persons[persons["study_group"] == "blsu"]
    k = int(rng.integers(1, 5))
    names = rng.choice(PROFILES, k)
    in_model = offenders.index[rng.random(len(offenders)) < 0.95]
    group = rng.integers(1, k + 1, len(in_model))
    if rng.random() < 0.3:  # estimated equal to stated: a cross table with many zeros
        lookup = {p: i % k + 1 for i, p in enumerate(PROFILES)}
        group = np.array([lookup[p] for p in offenders.loc[in_model, "profile"]])
    persons.loc[in_model, "estimated_profile"] = names[group - 1]
    posterior = rng.uniform(0.5, 1.0, len(group))
    if rng.random() < 0.1:  # perfectly separated groups: every posterior 1
        posterior[:] = 1.0
    persons.loc[in_model, "estimated_profile_probability"] = posterior
    peak = rng.uniform(15, 35, k)
    level = rng.choice([0.02, 0.3, 1.0, 2.5], k)
    rows = []
    for (_, person), g, p in zip(offenders.loc[in_model].iterrows(), group, posterior,
                                 strict=True):
        first = int(rng.integers(12, 30))
        for age in range(first, first + int(rng.integers(1, 22))):
            rate = level[g - 1] * np.exp(-((age - peak[g - 1]) / 6.0) ** 2)
            exposure = 1.0 if age != first else float(rng.choice([1.0, 0.5, 0.25]))
            rows.append((person["rinpersoons"], person["rinpersoon"], k, int(g),
                         str(names[g - 1]), float(p), age, int(rng.poisson(rate * exposure)),
                         exposure))
    person_ages = pd.DataFrame(rows, columns=["rinpersoons", "rinpersoon", "n_groups",
                                              "trajectory_group", "profile",
                                              "posterior_probability", "age", "n_cases",
                                              "exposure"])
    observed = (person_ages.groupby(["n_groups", "trajectory_group", "profile", "age"],
                                    as_index=False)
                .agg(n_persons=("rinpersoon", "size"), n_cases=("n_cases", "sum"),
                     person_years=("exposure", "sum")))
    ages = np.arange(12, 60)
    curves = pd.DataFrame([
        {"n_groups": k, "trajectory_group": g, "profile": str(names[g - 1]),
         "is_selected": True, "age": int(a),
         "expected": level[g - 1] * np.exp(-((a - peak[g - 1]) / 6.0) ** 2),
         "lower": 0.8 * level[g - 1] * np.exp(-((a - peak[g - 1]) / 6.0) ** 2),
         "upper": 1.2 * level[g - 1] * np.exp(-((a - peak[g - 1]) / 6.0) ** 2) + 0.01,
         "zero_inflation": None}
        for g in range(1, k + 1) for a in ages])
    n_persons = int(person_ages[["rinpersoons", "rinpersoon"]].drop_duplicates().shape[0])
    assigned = np.bincount(group, minlength=k + 1)[1:] / max(len(group), 1)
    groups, selection = [], []
    for kk in range(1, k + 1):
        shares = assigned if kk == k else rng.dirichlet(np.ones(kk))
        if kk != k:  # assigned shares of whole persons
            shares = np.bincount(rng.choice(kk, n_persons, p=shares), minlength=kk) / max(
                n_persons, 1)
        for g in range(1, kk + 1):
            groups.append({
                "n_groups": kk, "trajectory_group": g,
                "profile": str(names[g - 1]) if kk == k else str(rng.choice(PROFILES)),
                "is_selected": kk == k, "share": float(shares[g - 1]),
                "share_se": float(rng.uniform(0.001, 0.05)),
                "assigned_share": float(shares[g - 1]), "avepp": float(rng.uniform(0.6, 1)),
                "occ": float(rng.uniform(1, 50)), "peak_age": float(round(peak[g - 1])) if
                kk == k else 20.0, "peak_expected": float(level[g - 1]) if kk == k else 1.0,
                "mean_expected": 0.5, "peak_range_from": 15.0, "peak_range_to": 25.0})
        selection.append({
            "n_groups": kk, "family": "zip", "degree": 2, "zi_degree": 0,
            "n_params": 4 * kk - 1, "n_persons": n_persons, "n_person_ages": len(person_ages),
            "loglik": float(-rng.uniform(100, 5000)), "bic_nagin": float(-rng.uniform(100, 5e3)),
            "bic_person_ages": float(-rng.uniform(100, 5000)), "is_best_bic": kk == k,
            "min_avepp": float(rng.uniform(0.6, 1)), "min_occ": float(rng.uniform(1, 50)),
            "min_share": float(min(shares)), "min_assigned_share": float(min(shares)),
            "is_admissible": bool(rng.random() < 0.8), "inadmissible_because": None,
            "is_selected": kk == k, "n_starts": 5, "n_converged": 5, "n_distinct_optima": 2,
            "n_starts_at_best": 3})
    return {"fct_trajectory_person_ages": person_ages,
            "fct_trajectory_observed_by_age": observed, "fct_trajectory_curves": curves,
            "fct_trajectory_groups": pd.DataFrame(groups),
            "fct_trajectory_model_selection": pd.DataFrame(selection)}


def random_study(seed: int) -> Study:
    """One random study (deterministic for its seed)."""
    rng = np.random.default_rng(seed)
    n = int(rng.choice(SIZES)) if rng.random() < 0.6 else int(rng.integers(10, 300))
    profiles = np.repeat(PROFILES, profile_counts(rng, n))
    rng.shuffle(profiles)
    frames = [group_frame(rng, "blsu", n, 1, profiles)]
    for i, control in enumerate(("criminal_control", "noncriminal_control"), start=1):
        size = n if rng.random() < 0.8 else max(1, n - int(rng.integers(0, 5)))
        frames.append(group_frame(rng, control, size, 100000 * i + 1, None))
    persons = pd.concat(frames, ignore_index=True)
    persons["estimated_profile"] = None
    persons["estimated_profile_probability"] = np.nan
    careers = careers_of(rng, persons[persons["study_group"] == "blsu"])
    trajectories = trajectory_marts(rng, persons) if rng.random() < 0.85 else {}
    dq = pd.DataFrame({"dataset": ["SLOAANG", "OMZAKEN", "OMZAKEN"],
                       "finding": ["records not linkable", "unknown feitcodes", "other"],
                       "n_records": rng.choice([0, 3, 10, 12, 47], 3)})
    return Study(persons, careers, dq, trajectories)


def write_study(path: Path, study: Study) -> Path:
    """The study as a DuckDB warehouse of marts."""
    return write_marts(path, study.persons, study.careers, study.dq, extra=study.trajectories)
