"""The long input table (person, age, count[, exposure]) checked and turned into arrays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


class InputError(ValueError):
    """Bad input: the message names the file, column and row."""


@dataclass(frozen=True)
class TrajectoryData:
    """Observed person-ages in long form, sorted by person then age.

    ``person`` holds the index (0..N-1) of each row's person into ``person_ids``; ``exposure`` is
    the observed part of the age-year (1 when not given). Unobserved ages are simply absent.
    """

    person_ids: np.ndarray
    person: np.ndarray
    age: np.ndarray
    count: np.ndarray
    exposure: np.ndarray

    @property
    def n_persons(self) -> int:
        return len(self.person_ids)

    @property
    def n_obs(self) -> int:
        return len(self.person)

    def subset(self, persons: np.ndarray) -> TrajectoryData:
        """The data of the given person indices (re-indexed 0..len-1)."""
        keep = np.isin(self.person, persons)
        remap = np.full(self.n_persons, -1)
        remap[np.sort(persons)] = np.arange(len(persons))
        return TrajectoryData(
            person_ids=self.person_ids[np.sort(persons)],
            person=remap[self.person[keep]],
            age=self.age[keep],
            count=self.count[keep],
            exposure=self.exposure[keep],
        )

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        person: str | list[str] = "person",
        age: str = "age",
        count: str = "count",
        exposure: str | None = None,
        source: str = "input",
    ) -> TrajectoryData:
        """Check the table and build the arrays; errors name the source, column and data row.

        Rows are numbered from 1 in the order given (the header is not a row). A person key of
        several columns is joined with ``|`` into one id.
        """
        keys = [person] if isinstance(person, str) else list(person)
        for col in (*keys, age, count, *([exposure] if exposure else [])):
            if col not in frame.columns:
                raise InputError(
                    f"{source}: column {col!r} not found "
                    f"(columns: {', '.join(map(str, frame.columns))})"
                )
        if len(frame) == 0:
            raise InputError(f"{source}: no rows")
        for col in keys:
            _no_missing(frame[col], col, source)
        pid = (
            frame[keys[0]].astype(str).str.cat([frame[k].astype(str) for k in keys[1:]], sep="|")
            if len(keys) > 1
            else frame[keys[0]]
        )
        ages = _numeric(frame[age], age, source)
        counts = _numeric(frame[count], count, source)
        _check(counts < 0, counts, count, source, "a count must be >= 0")
        _check(counts != np.round(counts), counts, count, source, "a count must be a whole number")
        if exposure:
            expo = _numeric(frame[exposure], exposure, source)
            _check(
                expo <= 0,
                expo,
                exposure,
                source,
                "exposure must be > 0 (leave unobserved ages out)",
            )
        else:
            expo = np.ones(len(frame))
        keys = pd.DataFrame({"p": pid.astype(str).to_numpy(), "a": ages})
        dup = keys.duplicated(keep="first").to_numpy()
        if dup.any():
            row = int(np.flatnonzero(dup)[0])
            raise InputError(
                f"{source}: row {row + 1}: person {keys['p'][row]!r} has age {ages[row]:g} twice "
                f"(columns {', '.join(keys)}, {age})"
            )
        ids, inverse = np.unique(keys["p"].to_numpy(), return_inverse=True)
        order = np.lexsort((ages, inverse))
        return cls(
            person_ids=ids,
            person=inverse[order].astype(np.int64),
            age=ages[order],
            count=counts[order],
            exposure=expo[order],
        )


def _no_missing(values: pd.Series, col: str, source: str) -> None:
    missing = values.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InputError(f"{source}: row {row + 1}, column {col!r}: value missing")


def _numeric(values: pd.Series, col: str, source: str) -> np.ndarray:
    _no_missing(values, col, source)
    num = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(num)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{source}: row {row + 1}, column {col!r}: {values.iloc[row]!r} is not a number"
        )
    return num


def _check(bad: np.ndarray, values: np.ndarray, col: str, source: str, rule: str) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{source}: row {row + 1}, column {col!r}: {values[row]:g}: {rule}")


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a frame (CSV values read as text, converted when checked)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    if path.suffix.lower() in {".csv", ".txt"}:
        return pd.read_csv(path, dtype=str, keep_default_na=True)
    raise InputError(f"{path}: expected a .csv or .parquet file")


def observed_person_ages(frame: pd.DataFrame, source: str) -> TrajectoryData:
    """The observed rows of a warehouse person x age table (int_offender_age_counts layout:
    rinpersoons, rinpersoon, age, is_observed, n_cases, exposure) as model data."""
    observed = frame[frame["is_observed"].astype(bool)].reset_index(drop=True)
    if observed.empty:
        raise InputError(f"{source}: no observed person-ages: nothing to fit")
    return TrajectoryData.from_frame(
        observed,
        person=["rinpersoons", "rinpersoon"],
        age="age",
        count="n_cases",
        exposure="exposure",
        source=source,
    )
