"""Reading the warehouse marts (read-only, connection closed as soon as the data are in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from blsu_core.project import codes, vocabulary

# the vocabularies of the seeds, in their order
GROUPS = codes("study_groups")
CONTROLS = tuple(t.code for t in vocabulary("study_groups") if t.row["is_control"] == "true")
(OFFENDERS,) = (t.code for t in vocabulary("study_groups") if t.row["is_control"] != "true")
PROFILES = codes("profiles")
VICTIM_TYPES = codes("report_categories")

PERSON_COLUMNS = (
    "rinpersoons", "rinpersoon", "study_group", "profile", "sex", "birth_year", "has_lvb",
    "is_victim", "n_victimisations", *(f"victim_{t}" for t in VICTIM_TYPES), "first_ht_date",
    "recent_victim_eligible", "recent_victim_3y",
)
BALANCE_COLUMNS = ("birth_month", "migration_generation")
CAREER_COLUMNS = (
    "rinpersoons", "rinpersoon", "profile", "n_cases", "age_first_offence", "age_first_ht",
    "n_cases_before_first_ht", "starts_with_ht",
)
DQ_COLUMNS = ("dataset", "finding", "n_records")
NOT_NULL_FLAGS = ("has_lvb", "is_victim", "n_victimisations")

BUILD_HINT = "run `blsu build` first"


class MartError(RuntimeError):
    """The warehouse file or one of its marts is missing or does not have the expected shape."""


@dataclass(frozen=True)
class Marts:
    """The marts the statistics read, as data frames."""

    persons: pd.DataFrame
    careers: pd.DataFrame
    dq: pd.DataFrame


def load_marts(db_path: Path) -> Marts:
    """Read fct_study_persons, fct_offender_careers and dq_findings from the DuckDB file."""
    con = open_marts(Path(db_path))
    try:
        return read_marts(con, Path(db_path))
    finally:
        con.close()


def open_marts(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file (MartError when it is missing)."""
    if not db_path.is_file():
        raise MartError(f"warehouse file {db_path} does not exist; {BUILD_HINT}")
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise MartError(f"cannot open warehouse file {db_path} read-only: {exc}") from exc


def read_marts(con: duckdb.DuckDBPyConnection, db_path: Path) -> Marts:
    """The marts the statistics read, from an open connection, checked."""
    persons = read_mart(con, db_path, "fct_study_persons", PERSON_COLUMNS, BALANCE_COLUMNS)
    careers = read_mart(con, db_path, "fct_offender_careers", CAREER_COLUMNS)
    dq = read_mart(con, db_path, "dq_findings", DQ_COLUMNS)
    validate_persons(persons)
    return Marts(persons=persons, careers=careers, dq=dq)


def read_mart(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    table: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Select the required (and any present optional) columns of marts.<table>."""
    found = con.execute(
        "select lower(column_name) from information_schema.columns "
        "where table_schema = 'marts' and table_name = ?",
        [table],
    ).fetchall()
    columns = {row[0] for row in found}
    if not columns:
        raise MartError(f"{db_path}: mart marts.{table} does not exist; {BUILD_HINT}")
    missing = [c for c in required if c not in columns]
    if missing:
        raise MartError(
            f"{db_path}: marts.{table} lacks column(s) {', '.join(missing)}; {BUILD_HINT}"
        )
    wanted = [*required, *(c for c in optional if c in columns)]
    select = ", ".join(f'"{c}"' for c in wanted)
    # sorted: the statistics (bootstrap, Monte Carlo) must not depend on how the rows happen to
    # be stored, so that a refreshed warehouse gives the results a full build gives
    return con.execute(f"select {select} from marts.{table} order by all").df()


def validate_persons(persons: pd.DataFrame) -> None:
    """Check the values the statistics rely on: known groups and profiles, non-null flags."""
    unknown = set(persons["study_group"].dropna()) - set(GROUPS)
    if unknown or persons["study_group"].isna().any():
        raise MartError(
            "marts.fct_study_persons.study_group: expected one of "
            f"{', '.join(GROUPS)}, found {sorted(map(str, unknown)) or 'null'}"
        )
    offenders = persons[persons["study_group"] == OFFENDERS]
    bad = set(offenders["profile"].dropna()) - set(PROFILES)
    if bad:
        raise MartError(
            "marts.fct_study_persons.profile: expected one of "
            f"{', '.join(PROFILES)} for offenders, found {sorted(map(str, bad))}"
        )
    for column in NOT_NULL_FLAGS:
        n_null = int(persons[column].isna().sum())
        if n_null:
            raise MartError(
                f"marts.fct_study_persons.{column}: {n_null} row(s) are null, expected a value "
                "for every study person"
            )
