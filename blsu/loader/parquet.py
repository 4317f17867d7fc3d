"""Parquet extracts read by DuckDB itself, in place, as SQL with every column as text.

The Arrow readers (`blsu.loader.readers`) build every batch in Python and the rows are stored in
the warehouse before staging reads them again; for Parquet, DuckDB's own reader is faster, scans
the row groups of a file on every thread, and needs no stored copy. `scan_plan` gives, per file,
the SQL `select` that reads it (the staging models inline it through the macro `raw_extract`, so
each row is read and written once). `union all` of a plan's selects gives exactly what
`read_files` gives for the same files: the dataset schema (required columns,
the union of extra columns sorted, lineage), values turned into text by the same rules
(integral floats without `.0`, dates as YYYYMMDD, other types cast), and the same checks:

- a linkable record (RINPERSOONS `R`) whose RINPERSOON is not 9 digits fails the query that
  reads it (DuckDB `error()`), naming the file and the row (1 = first data row);
- a date column of which no non-empty value in a file is YYYYMMDD fails before any row is
  loaded; finding one valid value stops at the first match, so a good file costs one read of
  the start of one column;
- a file without rows fails before any row is loaded (row count from the Parquet footer).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from blsu.loader.datasets import DatasetSpec
from blsu.loader.inventory import FileEntry, RawExtractError
from blsu.loader.readers import PERSON_NUMBER, YYYYMMDD, column_key, dataset_schema

ROW_NUMBER = "file_row_number"
SCAN_COLUMN = "SCAN_SQL"


def quote_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def quote_name(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_expression(column: str, kind: pa.DataType) -> str:
    """SQL that turns a Parquet column of Arrow type `kind` into text, as the Arrow readers do."""
    name = quote_name(column)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return name
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return f"strftime(cast({name} as timestamp), '%Y%m%d')"
    if pa.types.is_floating(kind):
        return (
            f"case when {name} = floor({name}) then cast(cast({name} as bigint) as varchar) "
            f"else cast({name} as varchar) end"
        )
    return f"cast({name} as varchar)"


def file_columns(entry: FileEntry) -> dict[str, str]:
    """Upper-case column name -> SQL text expression of that column in one file."""
    return {
        column_key(field.name): text_expression(field.name, field.type)
        for field in pq.read_schema(entry.path)
    }


def person_key_check(rinpersoons: str, rinpersoon: str, entry: FileEntry) -> str:
    """RINPERSOON as text, or a query error naming the file and row for a malformed key."""
    message = (
        f"{quote_literal(f'{entry.path}: row ')} || ({ROW_NUMBER} + 1) || "
        f"': RINPERSOON ' || coalesce('''' || {rinpersoon} || '''', 'None') || "
        + quote_literal(
            " with RINPERSOONS 'R' is not 9 digits; person numbers are text, zero-padded to 9 "
            "digits (leading zeros lost in a spreadsheet or a numeric column?)"
        )
    )
    wellformed = f"coalesce(regexp_full_match({rinpersoon}, '{PERSON_NUMBER.strip('^$')}'), false)"
    return (
        f"case when {rinpersoons} = 'R' and not {wellformed} then error({message}) "
        f"else {rinpersoon} end"
    )


def scan(entry: FileEntry) -> str:
    """The table function that reads one file with its row numbers."""
    return f"read_parquet({quote_literal(str(entry.path))}, {ROW_NUMBER} = true)"


def check_rows(entry: FileEntry) -> int:
    """The file's row count from its footer (no rows read); fails when unreadable or empty."""
    try:
        rows = pq.ParquetFile(entry.path).metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise RawExtractError(
            f"{entry.path}: not a readable Parquet file (truncated, corrupt or not Parquet?): "
            f"{exc}"
        ) from exc
    if rows == 0:
        raise RawExtractError(f"{entry.path}: no data rows (only a header); expected records")
    return rows


def check_date_columns(
    conn: duckdb.DuckDBPyConnection, entry: FileEntry, columns: dict[str, str], spec: DatasetSpec
) -> None:
    """Fail when a date column of the file has non-empty values but not one YYYYMMDD value."""
    pattern = YYYYMMDD.strip("^$")
    for name in spec.date_columns:
        value = columns[name]
        valid = conn.execute(
            f"select exists (select 1 from {scan(entry)} "
            f"where regexp_full_match({value}, '{pattern}'))"
        ).fetchall()[0]
        if valid and valid[0]:
            continue
        filled = conn.execute(
            f"select count(*), arg_min({value}, {ROW_NUMBER}) from {scan(entry)} "
            f"where regexp_matches({value}, '\\S')"
        ).fetchall()[0]
        if filled and filled[0]:
            raise RawExtractError(
                f"{entry.path}: column {name}: none of its {filled[0]} non-empty values is a "
                f"YYYYMMDD date (e.g. {filled[1]!r}); the contract wants dates as YYYYMMDD text"
            )


def file_select(entry: FileEntry, columns: dict[str, str], schema: pa.Schema) -> str:
    """One file as a select in the dataset schema: text columns, then the lineage literals."""
    lineage = {
        "SOURCE_FILE": quote_literal(entry.file_name),
        "FILE_YEAR": f"cast({'null' if entry.year is None else entry.year} as integer)",
        "FILE_VERSION": f"cast({'null' if entry.version is None else entry.version} as integer)",
        "FILE_SIGNATURE": quote_literal(entry.signature),
    }
    items = []
    for field in schema:
        if field.name in lineage:
            value = lineage[field.name]
        elif field.name == "RINPERSOON":
            value = person_key_check(columns["RINPERSOONS"], columns["RINPERSOON"], entry)
        else:
            value = columns.get(field.name, "cast(null as varchar)")
        items.append(f"{value} as {quote_name(field.name)}")
    return f"select {', '.join(items)} from {scan(entry)}"


def scan_plan(
    conn: duckdb.DuckDBPyConnection, entries: list[FileEntry], spec: DatasetSpec
) -> pa.Table:
    """One row per file: its lineage, row count and the SQL `select` that reads it (SCAN_SQL).

    The selects of one plan share the dataset schema, so `union all` of them in file order is
    the dataset. Header, row-count and date-column checks run here, before the plan is returned;
    the person-key check runs when a select is read.
    """
    if not all_parquet(entries):
        raise ValueError(f"{spec.name}: a scan plan reads one or more Parquet files only")
    schema = dataset_schema(entries, spec)
    selects = []
    for entry in entries:
        rows = check_rows(entry)
        columns = file_columns(entry)
        check_date_columns(conn, entry, columns, spec)
        selects.append((entry, rows, file_select(entry, columns, schema)))
    return pa.table(
        {
            "SOURCE_FILE": pa.array([e.file_name for e, _, _ in selects], pa.string()),
            "FILE_YEAR": pa.array([e.year for e, _, _ in selects], pa.int32()),
            "FILE_VERSION": pa.array([e.version for e, _, _ in selects], pa.int32()),
            "FILE_SIGNATURE": pa.array([e.signature for e, _, _ in selects], pa.string()),
            "N_ROWS": pa.array([rows for _, rows, _ in selects], pa.int64()),
            SCAN_COLUMN: pa.array([sql for _, _, sql in selects], pa.string()),
        }
    )


def all_parquet(entries: list[FileEntry]) -> bool:
    """True when there are files and every one is Parquet (read by DuckDB, not by Arrow)."""
    return bool(entries) and all(entry.file_format == "parquet" for entry in entries)
