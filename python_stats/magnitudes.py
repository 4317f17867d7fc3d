"""The persons' values behind every exported magnitude: one home for the statistics, which
withhold a magnitude that fails the rule (python_stats.disclosure, `DisclosureRules.magnitude`),
and for `blsu check-output --warehouse`, which recomputes each verdict from the marts.

A magnitude is any number aggregated from an amount per person rather than from a count of
persons: a mean (ages, numbers of cases or victimisations, birth years), a variance, a sum (a
profile's share of all OM cases is a sum of case counts), a rate (OM cases per observed
person-year). Its contributions are the persons' values as they are (docs/disclosure.md,
"Magnitudes", says per exported column what they are).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules
from python_stats.marts import GROUPS, OFFENDERS, PROFILES
from python_stats.rounding import share


@dataclass(frozen=True)
class MeanSource:
    """Where the values of a table's mean (or sum) come from."""

    mart: str  # 'persons' (fct_study_persons) or 'careers' (fct_offender_careers)
    column: str
    victims_only: bool = False
    what: str = "mean"  # how the verdict names it


#: (figure, measure) of the estimates tables -> the persons' values it aggregates
TABLE_MAGNITUDES: dict[tuple[str, str], MeanSource] = {
    ("A2", "mean_victimisations_among_victims"): MeanSource("persons", "n_victimisations",
                                                            victims_only=True),
    ("profiles", "mean_age_first_offence"): MeanSource("careers", "age_first_offence"),
    ("profiles", "mean_age_first_ht"): MeanSource("careers", "age_first_ht"),
    ("profiles", "mean_cases_before_first_ht"): MeanSource("careers",
                                                           "n_cases_before_first_ht"),
    # a profile's share of all offenders' OM cases: its sum of persons' case counts
    ("profiles", "share_of_all_cases"): MeanSource("careers", "n_cases", what="sum"),
}
#: Magnitudes whose parts add up to a whole that is known without a total row (100%).
WHOLE_PARTITIONS = (("profiles", "share_of_all_cases"),)
#: balance.csv: the continuous covariates (their binary dummies are shares of counts)
BALANCE_CONTINUOUS = ("birth_year", "birth_month")


def numeric(values: pd.Series) -> np.ndarray:
    """The non-null numeric values as floats."""
    return pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)


def in_group(frame: pd.DataFrame, group: str) -> pd.Series:
    """Rows of a study group or an offender profile (careers rows are all offenders)."""
    group_column = frame["study_group"] if "study_group" in frame else pd.Series(
        OFFENDERS, index=frame.index)
    if group in GROUPS:
        mask = group_column == group
    elif group in PROFILES:
        mask = (group_column == OFFENDERS) & (frame["profile"] == group)
    else:
        raise ValueError(f"unknown group {group!r}")
    return mask.fillna(False).astype(bool)


def table_values(persons: pd.DataFrame, careers: pd.DataFrame, figure: str, measure: str,
                 group: str) -> np.ndarray | None:
    """The persons' values behind one magnitude of the estimates tables (None when the
    measure is not a magnitude)."""
    source = TABLE_MAGNITUDES.get((figure, measure))
    if source is None:
        return None
    frame = persons if source.mart == "persons" else careers
    mask = in_group(frame, group).to_numpy().copy()
    if source.victims_only:
        mask &= frame["is_victim"].fillna(False).astype(bool).to_numpy()
    values = frame[source.column][mask]
    if measure == "share_of_all_cases":
        return values.fillna(0).to_numpy(dtype=float)
    return numeric(values)


def case_shares(careers: pd.DataFrame, rules: DisclosureRules) -> dict[str, Fraction | None]:
    """Each profile's share (percent) of all offenders' OM cases: its rounded case total over
    the sum of the profiles' rounded totals, exactly (None without cases)."""
    totals = {p: int(rules.round(float(table_values(careers, careers, "profiles",
                                                         "share_of_all_cases", p).sum())))
              for p in PROFILES}
    return {p: share(t, sum(totals.values())) for p, t in totals.items()}


def mean_of(values: np.ndarray) -> Fraction | float:
    """The mean of persons' values: exact (a rational) when they are whole numbers, else the
    float mean (NaN without values)."""
    values = np.asarray(values, dtype=float)
    if not values.size:
        return float("nan")
    if bool(np.all(values == np.round(values))):
        return Fraction(int(values.sum()), values.size)
    return float(values.mean())


def balance_values(persons: pd.DataFrame, covariate: str, group: str) -> np.ndarray:
    """A continuous balance covariate's values in one study group."""
    return numeric(persons.loc[persons["study_group"] == group, covariate])


def squared_deviations(values: np.ndarray) -> np.ndarray:
    """Each person's contribution to a variance: the squared deviation from the mean."""
    values = np.asarray(values, dtype=float)
    return (values - values.mean()) ** 2 if values.size else values


@dataclass(frozen=True)
class Band:
    """Adjacent ages of one trajectory group pooled for its observed mean."""

    group: int
    age_from: int
    age_to: int
    cases: np.ndarray  # per person observed in the band: their OM cases in it
    person_years: float

    @property
    def mean(self) -> float:
        """Observed OM cases per observed person-year."""
        return float(self.cases.sum() / self.person_years) if self.person_years > 0 else 0.0


class GroupAges:
    """The person-level rows of one trajectory group (fct_trajectory_person_ages), indexed for
    the sums over bands of adjacent ages."""

    def __init__(self, person_ages: pd.DataFrame, group: int) -> None:
        rows = person_ages[person_ages["trajectory_group"] == group]
        self.group = int(group)
        keys = rows["rinpersoons"].astype(str) + "/" + rows["rinpersoon"].astype(str)
        self.codes, persons = pd.factorize(keys, sort=True)
        self.n_persons = len(persons)
        self.ages = rows["age"].to_numpy(dtype=int)
        self.cases = rows["n_cases"].to_numpy(dtype=float)
        self.exposure = rows["exposure"].to_numpy(dtype=float)

    @property
    def observed_ages(self) -> list[int]:
        """The ages at which anyone of the group is observed, ascending."""
        return sorted(set(self.ages.tolist()))

    def band(self, age_from: int, age_to: int) -> Band:
        """Each person observed at ages age_from..age_to with their cases summed over the band,
        and the band's observed person-years."""
        inside = (self.ages >= age_from) & (self.ages <= age_to)
        codes = self.codes[inside]
        observed = np.bincount(codes, minlength=self.n_persons) > 0
        cases = np.bincount(codes, weights=self.cases[inside], minlength=self.n_persons)
        return Band(self.group, int(age_from), int(age_to), cases[observed],
                    float(self.exposure[inside].sum()))


def band(person_ages: pd.DataFrame, group: int, age_from: int, age_to: int) -> Band:
    """One group's band of ages (see GroupAges.band)."""
    return GroupAges(person_ages, group).band(age_from, age_to)


@dataclass(frozen=True)
class PersonData:
    """The person-level marts the magnitudes rest on (read-only copies in memory)."""

    persons: pd.DataFrame
    careers: pd.DataFrame
    person_ages: pd.DataFrame | None = None  # None: a warehouse without the trajectory model

    @classmethod
    def load(cls, db_path: Path) -> PersonData:
        """Read them from a warehouse file (read-only, closed at once)."""
        from python_stats.marts import open_marts, read_marts

        con = open_marts(Path(db_path))
        try:
            marts = read_marts(con, Path(db_path))
            present = {r[0] for r in con.sql(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts'").fetchall()}
            person_ages = None
            if "fct_trajectory_person_ages" in present:
                from python_stats.trajectories import read_person_ages

                person_ages = read_person_ages(con)
        finally:
            con.close()
        return cls(marts.persons, marts.careers, person_ages)

    def group_ages(self, group: int) -> GroupAges | None:
        """One trajectory group's person-level rows (None without them)."""
        return None if self.person_ages is None else GroupAges(self.person_ages, group)
