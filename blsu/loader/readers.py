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

from blsu.loader.datasets import DatasetSpec
from blsu.loader.inventory import FileEntry, RawExtractError, inventory_dataset

LINEAGE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("SOURCE_FILE", pa.string()),
    pa.field("FILE_YEAR", pa.int32()),
    pa.field("FILE_VERSION", pa.int32()),
)
SAV_CHUNK_ROWS = 500_000


def read_columns(path: Path) -> list[str]:
    """Column names of a file as written (original case), without reading its rows."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return list(pq.read_schema(path).names)
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
        if header is None:
            raise RawExtractError(f"{path}: empty CSV file, expected a header row")
        return header
    if suffix == ".sav":
        import pyreadstat

        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        return list(meta.column_names)
    raise RawExtractError(f"{path}: unsupported file type {suffix}")


def count_rows(path: Path) -> int:
    """Number of data rows of a file (metadata for Parquet and .sav, a streaming pass for CSV)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    if suffix == ".sav":
        import pyreadstat

        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        return int(meta.number_rows or 0)
    first = read_columns(path)[0]
    reader = pacsv.open_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            include_columns=[first], column_types={first: pa.string()}
        ),
    )
    return sum(batch.num_rows for batch in reader)


def check_required_columns(path: Path, columns: list[str], spec: DatasetSpec) -> None:
    """Fail with the file and the missing column when a required column is absent."""
    present = {name.upper() for name in columns}
    missing = [name for name in spec.required_columns if name not in present]
    if missing:
        raise RawExtractError(
            f"{path}: missing required column(s) {', '.join(missing)} for dataset {spec.name}; "
            f"found {', '.join(columns) or 'no columns'} (column names may be in any case)"
        )
    upper = [name.upper() for name in columns]
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
    table = table.rename_columns([name.upper() for name in table.column_names])
    arrays = []
    for field in schema:
        if field.name == "SOURCE_FILE":
            arrays.append(pa.array([entry.file_name] * table.num_rows, pa.string()))
        elif field.name == "FILE_YEAR":
            arrays.append(pa.array([entry.year] * table.num_rows, pa.int32()))
        elif field.name == "FILE_VERSION":
            arrays.append(pa.array([entry.version] * table.num_rows, pa.int32()))
        elif field.name in table.column_names:
            arrays.append(_as_text(table.column(field.name)))
        else:
            arrays.append(pa.nulls(table.num_rows, pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


def _read_file(entry: FileEntry, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Stream one file as batches conforming to `schema`."""
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


def dataset_schema(entries: list[FileEntry], spec: DatasetSpec) -> pa.Schema:
    """Required columns first, then the union of extra columns (sorted), then lineage; all text.

    Also checks every used file for the required columns before any row is read.
    """
    extras: set[str] = set()
    for entry in entries:
        columns = read_columns(entry.path)
        check_required_columns(entry.path, columns, spec)
        extras.update(name.upper() for name in columns)
    lineage = {field.name for field in LINEAGE_FIELDS}
    extra_names = sorted(extras - set(spec.required_columns) - lineage)
    fields = [pa.field(name, pa.string()) for name in (*spec.required_columns, *extra_names)]
    return pa.schema([*fields, *LINEAGE_FIELDS])


def read_dataset(raw_dir: Path, spec: DatasetSpec) -> pa.RecordBatchReader:
    """Stream the used files of one dataset as a single text table with lineage columns."""
    entries = [e for e in inventory_dataset(raw_dir, spec) if e.status == "used"]
    schema = dataset_schema(entries, spec)

    def batches() -> Iterator[pa.RecordBatch]:
        for entry in entries:
            yield from _read_file(entry, schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


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
    ]
)


def read_inventory(raw_dir: Path, specs: list[DatasetSpec]) -> pa.Table:
    """The file inventory of every dataset: one row per data file with its status and rows."""
    rows: list[dict[str, object]] = []
    for spec in specs:
        for entry in inventory_dataset(raw_dir, spec):
            rows.append(
                {
                    "DATASET": entry.dataset,
                    "FILE_NAME": entry.file_name,
                    "FILE_FORMAT": entry.file_format,
                    "FILE_YEAR": entry.year,
                    "FILE_VERSION": entry.version,
                    "STATUS": entry.status,
                    "N_ROWS": count_rows(entry.path),
                    "SIZE_BYTES": entry.size_bytes,
                    "MODIFIED_AT": int(entry.modified),
                }
            )
    return pa.Table.from_pylist(rows, schema=INVENTORY_SCHEMA)
