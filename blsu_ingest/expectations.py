"""Expected data, not just readable data: the minimum every dataset must hold.

A file can be perfectly readable and still be wrong for the study: an empty dataset folder, a
person-key column written `r` or `R ` (every record unlinkable), birth years written as floats
(`1988.0`), a role coded 1/2 instead of A/S, dates in another format. Each of these would build
a warehouse with fewer persons, controls or victims and exit 0. The rules here are the minimum
per dataset (files, rows, share of linkable keys, share of parseable dates, codes in the
expected coding); a dataset that falls short fails the build, naming dataset, file and column,
unless the operator accepts it explicitly (`--accept-short-data`).

The checks read only the columns they need, with DuckDB, from the canonical Parquet files the
ingestion made (`blsu_ingest.ingest`), so values are text exactly as the warehouse stores them
and a converted .sav or CSV file is never read again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from blsu_core.datasets import DATASETS, DatasetSpec
from blsu_ingest.inventory import FileEntry, RawExtractError

Kind = Literal["linkable", "date", "integer", "codes"]
OVERRIDE_FLAG = "--accept-short-data"


@dataclass(frozen=True)
class ColumnRule:
    """At least `min_share` of a file's non-empty values of `column` must pass the check."""

    column: str
    kind: Kind
    min_share: float
    codes: tuple[str, ...] = ()
    advice: str = ""

    def passes(self, value: str) -> str:
        """SQL: true when the text `value` passes the rule."""
        if self.kind == "linkable":
            return f"{value} = 'R'"
        if self.kind == "date":
            return f"regexp_full_match(trim({value}), '[0-9]{{8}}')"
        if self.kind == "integer":
            return f"regexp_full_match(trim({value}), '[0-9]+')"
        listed = ", ".join("'" + code.replace("'", "''") + "'" for code in self.codes)
        return f"trim({value}) in ({listed})"

    def filled(self, value: str) -> str:
        """SQL: the rows the share is taken over (all rows for the person key)."""
        if self.kind == "linkable":
            return "true"
        return f"coalesce(trim({value}), '') <> ''"

    def describe(self) -> str:
        return {
            "linkable": "linkable records (RINPERSOONS exactly 'R')",
            "date": "YYYYMMDD dates",
            "integer": "whole numbers written without decimals",
            "codes": f"values in the coding {', '.join(self.codes)}",
        }[self.kind]


@dataclass(frozen=True)
class Expectation:
    """The minimum one dataset must hold."""

    dataset: str
    min_files: int = 1
    min_rows: int = 1
    rules: tuple[ColumnRule, ...] = field(default_factory=tuple)


LINKABLE = ColumnRule(
    "RINPERSOONS",
    "linkable",
    0.5,
    advice="RINPERSOONS 'R' marks a person in the register; 'r', 'R ' or ' R' are not 'R' "
    "(upper-case and trim the column)",
)


def _expectation(spec: DatasetSpec, *extra: ColumnRule) -> Expectation:
    dates = tuple(
        ColumnRule(name, "date", 0.5, advice="the contract wants dates as YYYYMMDD text")
        for name in spec.date_columns
    )
    return Expectation(spec.name, rules=(LINKABLE, *dates, *extra))


EXPECTATIONS: dict[str, Expectation] = {
    name: _expectation(spec) for name, spec in DATASETS.items()
}
EXPECTATIONS["GBAPERSOONTAB"] = _expectation(
    DATASETS["GBAPERSOONTAB"],
    ColumnRule(
        "GBAGEBOORTEJAAR",
        "integer",
        0.9,
        advice="birth years are YYYY (e.g. 1988, not 1988.0: written from a float column?)",
    ),
    ColumnRule(
        "GBAGESLACHT", "codes", 0.9, ("1", "2", "-"), advice="the contract codes sex 1, 2 or -"
    ),
)
EXPECTATIONS["SLOAANG"] = _expectation(
    DATASETS["SLOAANG"],
    ColumnRule(
        "ROL",
        "codes",
        0.5,
        ("A", "S"),
        advice="the contract codes the role A (reporter) or S (victim); numbers such as 1/2 "
        "are SPSS value codes: export the values, not the codes of their labels",
    ),
)


class ShortDataError(RawExtractError):
    """A dataset holds less than its expectation."""


def check_files_present(
    entries: dict[str, list[FileEntry]],
    folders: dict[str, str],
    previous: dict[str, list[str]] | None = None,
) -> list[str]:
    """Problems of datasets with fewer used files than expected (an empty folder).

    `previous` holds the files each dataset used at the warehouse's last build (its record), so
    that a file removed since is named."""
    problems = []
    for name, expectation in EXPECTATIONS.items():
        used = [e for e in entries.get(name, []) if e.status == "used"]
        if len(used) < expectation.min_files:
            others = [e.file_name for e in entries.get(name, [])]
            seen = f"; it holds only {', '.join(others)} (not a {name} file name)" if others else ""
            gone = [f for f in (previous or {}).get(name, []) if f not in others]
            was = (f"; at the last build it held {', '.join(gone)}, which is gone"
                   if gone else "")
            problems.append(
                f"{folders.get(name, name)}: dataset {name} has no data file "
                f"(expected at least {expectation.min_files}){seen}{was}; an empty dataset "
                "folder is an error, not an empty dataset: put the extract back"
            )
    return problems


def _relation(conn: object, entry: FileEntry, source: Path | None) -> str:
    """A DuckDB relation name over one file's columns as text (upper-case names): its canonical
    Parquet file when ingested, else the file read through the loader's read path."""
    name = f"f_{abs(hash(entry.path))}"
    if source is not None:
        literal = "'" + str(source).replace("'", "''") + "'"
        conn.execute(  # type: ignore[attr-defined]
            f"create or replace temp view {name} as select * from read_parquet({literal})"
        )
        return name
    import pyarrow as pa

    from blsu_ingest.ingest import file_schema
    from blsu_ingest.readers import _raw_batches, read_columns

    schema = file_schema(read_columns(entry.path), DATASETS[entry.dataset])
    reader = pa.RecordBatchReader.from_batches(schema, _raw_batches(entry, schema))
    conn.register(name, reader.read_all())  # type: ignore[attr-defined]
    return name


def check_file(conn: object, entry: FileEntry, source: Path | None = None) -> list[str]:
    """Problems of one file (read from its canonical form `source`) against its dataset's
    expectation (empty when it meets it)."""
    expectation = EXPECTATIONS[entry.dataset]
    cursor = conn.cursor()  # type: ignore[attr-defined]
    try:
        return _check_file(cursor, entry, source, expectation)
    finally:
        cursor.close()


def _check_file(
    conn: object, entry: FileEntry, source: Path | None, expectation: Expectation
) -> list[str]:
    relation = _relation(conn, entry, source)
    parts = ["count(*)"]
    for rule in expectation.rules:
        column = f'"{rule.column}"'
        filled, passes = rule.filled(column), rule.passes(column)
        parts += [
            f"count(*) filter (where {filled})",
            f"count(*) filter (where {filled} and coalesce({passes}, false))",
            f"any_value({column}) filter (where {filled} and not coalesce({passes}, false))",
        ]
    sql = f"select {', '.join(parts)} from {relation}"
    row = conn.execute(sql).fetchall()[0]  # type: ignore[attr-defined]
    problems = []
    n_rows = row[0]
    if n_rows < expectation.min_rows:
        problems.append(
            f"{entry.path}: {n_rows} rows; dataset {entry.dataset} expects at least "
            f"{expectation.min_rows}"
        )
    for index, rule in enumerate(expectation.rules):
        filled, passed, example = row[1 + 3 * index : 4 + 3 * index]
        if not filled or passed / filled >= rule.min_share:
            continue
        problems.append(
            f"{entry.path}: column {rule.column}: only {passed} of {filled} values "
            f"({passed / filled:.0%}) are {rule.describe()}, expected at least "
            f"{rule.min_share:.0%} (e.g. {example!r}); {rule.advice}"
        )
    return problems


def check_expected(
    entries: dict[str, list[FileEntry]],
    folders: dict[str, str],
    to_read: Iterable[FileEntry],
    canonical: dict[Path, Path] | None = None,
    *,
    accept_short: bool = False,
    previous: dict[str, list[str]] | None = None,
) -> list[str]:
    """Check the datasets' files and the files a load will read against their expectations.

    `canonical` maps used raw files to their ingested canonical Parquet files (a file without
    one is read through the loader's read path); `previous` the files each dataset used at the
    warehouse's last build, named when they are gone.

    Raises ShortDataError naming every shortfall, or returns them as warnings when the operator
    accepted short data.
    """
    import duckdb

    problems = check_files_present(entries, folders, previous)
    conn = duckdb.connect()
    try:
        for entry in to_read:
            if entry.dataset in EXPECTATIONS:
                problems += check_file(conn, entry, (canonical or {}).get(entry.path))
    finally:
        conn.close()
    if problems and not accept_short:
        raise ShortDataError(
            "the raw extracts hold less than the study expects:\n  "
            + "\n  ".join(problems)
            + f"\nFix the extracts, or accept them as they are with {OVERRIDE_FLAG}"
        )
    return problems
