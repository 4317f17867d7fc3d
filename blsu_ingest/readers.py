"""Read raw extract files (Parquet, CSV, SPSS .sav) as Arrow batches with every column as text.

Column names are upper-cased; values keep their text exactly (leading zeros included). Numeric
columns that a producer wrote anyway are turned into text: integral numbers without a decimal
part, dates as YYYYMMDD. Every batch carries its lineage (source_file, file_year, file_version).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from blsu_core.datasets import DatasetSpec
from blsu_ingest.inventory import (
    FileEntry,
    RawExtractError,
    data_files,
    inventory_dataset,
)

LINEAGE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("SOURCE_FILE", pa.string()),
    pa.field("FILE_YEAR", pa.int32()),
    pa.field("FILE_VERSION", pa.int32()),
    pa.field("FILE_SIGNATURE", pa.string()),
)
SAV_CHUNK_ROWS = 500_000
OTHER_DELIMITERS: tuple[str, ...] = (";", "\t", "|")
YYYYMMDD = r"^\s*[0-9]{8}\s*$"
PERSON_NUMBER = r"^[0-9]{9}$"


def _unreadable(path: Path, exc: BaseException) -> RawExtractError:
    """An error that names the file, its format and what went wrong."""
    kind = {".parquet": "Parquet", ".csv": "CSV", ".sav": "SPSS .sav"}.get(
        path.suffix.lower(), path.suffix
    )
    return RawExtractError(
        f"{path}: not a readable {kind} file (truncated, corrupt or not {kind}?): {exc}"
    )


def _check_not_empty(path: Path) -> None:
    if path.stat().st_size == 0:
        raise RawExtractError(f"{path}: empty file (0 bytes); expected a {path.suffix} extract")


def first_invalid_utf8_line(path: Path) -> tuple[int, bytes] | None:
    """Line number (1 = header) and text of the first line that is not UTF-8, if any."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number, line.rstrip(b"\r\n")[:120]
    return None


def _encoding_error(path: Path) -> RawExtractError | None:
    found = first_invalid_utf8_line(path)
    if found is None:
        return None
    number, text = found
    return RawExtractError(
        f"{path}: line {number} is not UTF-8 ({text!r}); the contract wants UTF-8 CSV. "
        "Re-encode the file, e.g. `iconv -f latin1 -t utf-8`"
    )


def column_key(name: str) -> str:
    """A column name as the loader compares and stores it: upper case, no spaces around it."""
    return name.strip().upper()


def _check_format(path: Path) -> None:
    """Fail when the file's first bytes say it is another format than its extension."""
    with path.open("rb") as handle:
        start = handle.read(4)
    suffix = path.suffix.lower()
    if start == b"PAR1" and suffix != ".parquet":
        raise RawExtractError(
            f"{path}: this is a Parquet file named {suffix}; rename it to "
            f"{path.with_suffix('.parquet').name}"
        )
    if start == b"$FL2" and suffix != ".sav":
        raise RawExtractError(
            f"{path}: this is an SPSS .sav file named {suffix}; rename it to "
            f"{path.with_suffix('.sav').name}"
        )


def read_columns(path: Path) -> list[str]:
    """Column names of a file as written (original case), without reading its rows."""
    _check_not_empty(path)
    _check_format(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(path, exc) from exc
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), None)
        except UnicodeDecodeError as exc:
            raise (_encoding_error(path) or _unreadable(path, exc)) from exc
        if header is None:
            raise RawExtractError(f"{path}: empty CSV file, expected a header row")
        return header
    if suffix == ".sav":
        import pyreadstat

        try:
            _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        except Exception as exc:
            raise _unreadable(path, exc) from exc
        return list(meta.column_names)
    raise RawExtractError(f"{path}: unsupported file type {suffix}")


def count_rows(path: Path) -> int:
    """Number of data rows of a file (metadata for Parquet and .sav, a streaming pass for CSV)."""
    suffix = path.suffix.lower()
    columns = read_columns(path)
    try:
        if suffix == ".parquet":
            return int(pq.ParquetFile(path).metadata.num_rows)
        if suffix == ".sav":
            import pyreadstat

            _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
            return int(meta.number_rows or 0)
        first = columns[0]
        reader = pacsv.open_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                include_columns=[first], column_types={first: pa.string()}
            ),
        )
        return sum(batch.num_rows for batch in reader)
    except (pa.ArrowException, OSError) as exc:
        raise (_encoding_error(path) or _unreadable(path, exc)) from exc


def check_required_columns(path: Path, columns: list[str], spec: DatasetSpec) -> None:
    """Fail with the file and the missing column when a required column is absent."""
    present = {column_key(name) for name in columns}
    missing = [name for name in spec.required_columns if name not in present]
    if missing:
        hint = ""
        if len(columns) == 1 and any(mark in columns[0] for mark in OTHER_DELIMITERS):
            hint = (
                "; the header is one single column, so the file is probably not "
                "comma-separated (the contract wants ',' as the delimiter)"
            )
        raise RawExtractError(
            f"{path}: missing required column(s) {', '.join(missing)} for dataset {spec.name}; "
            f"found {', '.join(columns) or 'no columns'} (column names may be in any case)"
            f"{hint}"
        )
    upper = [column_key(name) for name in columns]
    duplicated = sorted({name for name in upper if upper.count(name) > 1})
    if duplicated:
        raise RawExtractError(
            f"{path}: column(s) {', '.join(duplicated)} occur more than once (names compared "
            "in upper case)"
        )


def _as_text(array: pa.ChunkedArray | pa.Array) -> pa.Array | pa.ChunkedArray:
    """Turn any Arrow column into text: integral floats without '.0', dates as YYYYMMDD."""
    kind = array.type
    if pa.types.is_string(kind):
        return array
    if pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return pc.cast(array, pa.string())
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        stamps = pc.cast(array, pa.timestamp("s")) if pa.types.is_date(kind) else array
        return pc.strftime(stamps, format="%Y%m%d")
    if pa.types.is_floating(kind):
        integral = pc.equal(pc.floor(array), array)
        as_int = pc.cast(pc.cast(array, pa.int64(), safe=False), pa.string())
        return pc.if_else(integral, as_int, pc.cast(array, pa.string()))
    return pc.cast(array, pa.string())


def _conform(table: pa.Table, schema: pa.Schema, entry: FileEntry) -> pa.Table:
    """Upper-case names, turn columns into text, add missing optional columns and lineage."""
    table = table.rename_columns([column_key(name) for name in table.column_names])
    arrays = []
    for field in schema:
        if field.name == "SOURCE_FILE":
            arrays.append(pa.array([entry.file_name] * table.num_rows, pa.string()))
        elif field.name == "FILE_YEAR":
            arrays.append(pa.array([entry.year] * table.num_rows, pa.int32()))
        elif field.name == "FILE_VERSION":
            arrays.append(pa.array([entry.version] * table.num_rows, pa.int32()))
        elif field.name == "FILE_SIGNATURE":
            arrays.append(pa.array([entry.signature] * table.num_rows, pa.string()))
        elif field.name in table.column_names:
            arrays.append(_as_text(table.column(field.name)))
        else:
            arrays.append(pa.nulls(table.num_rows, pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


def _raw_batches(entry: FileEntry, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Stream one file as batches conforming to `schema` (no checks of the values)."""
    suffix = entry.path.suffix.lower()
    if suffix == ".parquet":
        parquet = pq.ParquetFile(entry.path)
        for batch in parquet.iter_batches(batch_size=500_000):
            yield from _conform(pa.Table.from_batches([batch]), schema, entry).to_batches()
    elif suffix == ".csv":
        names = read_columns(entry.path)
        reader = pacsv.open_csv(
            entry.path,
            read_options=pacsv.ReadOptions(block_size=64 << 20),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            yield from _conform(pa.Table.from_batches([batch]), schema, entry).to_batches()
    else:
        import pyreadstat

        chunks = pyreadstat.read_file_in_chunks(
            pyreadstat.read_sav, str(entry.path), chunksize=SAV_CHUNK_ROWS
        )
        for frame, _ in chunks:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            yield from _conform(table, schema, entry).to_batches()


def check_person_keys(batch: pa.RecordBatch, entry: FileEntry, first_row: int) -> None:
    """Fail when a linkable record (RINPERSOONS R) has a RINPERSOON that is not 9 digits.

    Such a key cannot link to the register; it means the extract lost its leading zeros or was
    converted to numbers on the way. Rows are numbered from 1 (the first data row).
    """
    linkable = pc.fill_null(pc.equal(batch.column("RINPERSOONS"), "R"), False)
    wellformed = pc.fill_null(
        pc.match_substring_regex(batch.column("RINPERSOON"), PERSON_NUMBER), False
    )
    bad = pc.and_(linkable, pc.invert(wellformed))
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        count = pc.sum(bad).as_py()
        value = batch.column("RINPERSOON")[index].as_py()
        raise RawExtractError(
            f"{entry.path}: row {first_row + index}: RINPERSOON {value!r} with RINPERSOONS 'R' "
            f"is not 9 digits ({count} such row(s) in this batch); person numbers are text, "
            "zero-padded to 9 digits (leading zeros lost in a spreadsheet or a numeric column?)"
        )


class DateColumnCheck:
    """Counts, per file, the non-empty values of the date columns and those that are YYYYMMDD.

    Single unparseable dates are data-quality findings (counted in marts.dq_findings); a date
    column of which not one non-empty value is YYYYMMDD means a wrong date format for the
    whole file, which would silently empty the analysis, so it is an error.
    """

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.filled = dict.fromkeys(columns, 0)
        self.valid = dict.fromkeys(columns, 0)
        self.example: dict[str, str] = {}

    def add(self, batch: pa.RecordBatch) -> None:
        for name in self.filled:
            values = batch.column(name)
            filled = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(values), ""), False)
            valid = pc.fill_null(pc.match_substring_regex(values, YYYYMMDD), False)
            self.filled[name] += pc.sum(filled).as_py() or 0
            self.valid[name] += pc.sum(valid).as_py() or 0
            if name not in self.example and pc.any(filled).as_py():
                self.example[name] = values[pc.index(filled, True).as_py()].as_py()

    def check(self, path: Path) -> None:
        for name, filled in self.filled.items():
            if filled and not self.valid[name]:
                raise RawExtractError(
                    f"{path}: column {name}: none of its {filled} non-empty values is a "
                    f"YYYYMMDD date (e.g. {self.example.get(name)!r}); the contract wants "
                    "dates as YYYYMMDD text"
                )


def _read_file(entry: FileEntry, schema: pa.Schema, spec: DatasetSpec) -> Iterator[pa.RecordBatch]:
    """Stream one file with its checks; any failure names the file (and row or column)."""
    rows = 0
    dates = DateColumnCheck(spec.date_columns)
    try:
        for batch in _raw_batches(entry, schema):
            check_person_keys(batch, entry, rows + 1)
            dates.add(batch)
            rows += batch.num_rows
            yield batch
    except RawExtractError:
        raise
    except UnicodeDecodeError as exc:
        raise (_encoding_error(entry.path) or _unreadable(entry.path, exc)) from exc
    except Exception as exc:
        if entry.path.suffix.lower() == ".csv":
            encoding = _encoding_error(entry.path)
            if encoding is not None:
                raise encoding from exc
        raise _unreadable(entry.path, exc) from exc
    if rows == 0:
        raise RawExtractError(f"{entry.path}: no data rows (only a header); expected records")
    dates.check(entry.path)


def dataset_schema(entries: list[FileEntry], spec: DatasetSpec) -> pa.Schema:
    """Required columns first, then the union of extra columns (sorted), then lineage; all text.

    Also checks every file to be read for the required columns before any row is read.
    """
    extras: set[str] = set()
    for entry in entries:
        columns = read_columns(entry.path)
        check_required_columns(entry.path, columns, spec)
        extras.update(column_key(name) for name in columns)
    lineage = {field.name for field in LINEAGE_FIELDS}
    extra_names = sorted(extras - set(spec.required_columns) - lineage)
    fields = [pa.field(name, pa.string()) for name in (*spec.required_columns, *extra_names)]
    return pa.schema([*fields, *LINEAGE_FIELDS])


def read_files(entries: list[FileEntry], spec: DatasetSpec) -> pa.RecordBatchReader:
    """Stream the given files of one dataset as a single text table with lineage columns."""
    schema = dataset_schema(entries, spec)

    def batches() -> Iterator[pa.RecordBatch]:
        for entry in entries:
            yield from _read_file(entry, schema, spec)

    return pa.RecordBatchReader.from_batches(schema, batches())


def read_dataset(raw_dir: Path, spec: DatasetSpec) -> pa.RecordBatchReader:
    """Stream every used file of one dataset (a full load)."""
    entries = [e for e in inventory_dataset(raw_dir, spec) if e.status == "used"]
    return read_files(entries, spec)


INVENTORY_SCHEMA = pa.schema(
    [
        pa.field("DATASET", pa.string()),
        pa.field("FILE_NAME", pa.string()),
        pa.field("FILE_FORMAT", pa.string()),
        pa.field("FILE_YEAR", pa.int32()),
        pa.field("FILE_VERSION", pa.int32()),
        pa.field("STATUS", pa.string()),
        pa.field("N_ROWS", pa.int64()),
        pa.field("SIZE_BYTES", pa.int64()),
        pa.field("MODIFIED_AT", pa.timestamp("s")),
        pa.field("FILE_SIGNATURE", pa.string()),
    ]
)
def folder_entries(folder: Path) -> list[FileEntry]:
    """The data files of a folder that is not a dataset, as `unknown_folder` entries."""
    entries = []
    for path in data_files(folder):
        stat = path.stat()
        entries.append(
            FileEntry(
                folder.name,
                path,
                None,
                None,
                "unknown_folder",
                stat.st_size,
                stat.st_mtime,
                stat.st_mtime_ns,
            )
        )
    return entries

