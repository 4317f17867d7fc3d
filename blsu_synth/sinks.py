"""Streaming writers for the three file formats of the raw-extract contract.

Every file is written through a `Sink` that accepts pyarrow tables (all string columns) chunk by
chunk. Parquet and CSV stream to disk; SPSS (.sav) has no append mode in pyreadstat, so the sav sink
buffers its file and writes it on close, then overwrites the creation date/time in the header with
a fixed value so that identical input gives identical bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS: tuple[str, ...] = ("parquet", "csv", "sav")

# SPSS system-file header: creation date (9 bytes, "dd mmm yy") at offset 92 and creation time
# (8 bytes, "hh:mm:ss") at offset 101.
_SAV_DATE_OFFSET = 92
_SAV_FIXED_STAMP = b"01 Jan 2400:00:00"


class Sink(Protocol):
    rows: int

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def schema_of(columns: list[str]) -> pa.Schema:
    return pa.schema([(c, pa.string()) for c in columns])


class _ArrowStreamSink:
    """A file written chunk by chunk through a pyarrow writer (`_open` makes the writer)."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.schema = schema_of(columns)
        self.rows = 0
        self._writer = self._open(path, self.schema)

    @staticmethod
    def _open(path: Path, schema: pa.Schema) -> pq.ParquetWriter | pacsv.CSVWriter:
        raise NotImplementedError

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.select(self.schema.names).cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()


class ParquetSink(_ArrowStreamSink):
    """Parquet file written one row group per `write` (zstd, no timestamps in the metadata)."""

    @staticmethod
    def _open(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
        return pq.ParquetWriter(path, schema, compression="zstd")


class CsvSink(_ArrowStreamSink):
    """UTF-8, comma-separated, header row; text values quoted."""

    @staticmethod
    def _open(path: Path, schema: pa.Schema) -> pacsv.CSVWriter:
        return pacsv.CSVWriter(path, schema)


class SavSink:
    """SPSS system file: buffered, written on close with a fixed header time stamp."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.schema = schema_of(columns)
        self.rows = 0
        self._parts: list[pa.Table] = []

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._parts.append(table.select(self.schema.names).cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> None:
        import pyreadstat

        table = pa.concat_tables(self._parts) if self._parts else self.schema.empty_table()
        frame = table.to_pandas()
        for column in frame.columns:
            frame[column] = frame[column].astype(object)
        pyreadstat.write_sav(frame, str(self.path))
        neutralise_sav_timestamp(self.path)
        self._parts = []


def neutralise_sav_timestamp(path: Path) -> None:
    """Overwrite the creation date and time of a .sav header with 01 Jan 24 00:00:00."""
    with path.open("r+b") as fh:
        head = fh.read(4)
        if head not in (b"$FL2", b"$FL3"):
            raise ValueError(f"{path}: not an SPSS system file (header {head!r})")
        fh.seek(_SAV_DATE_OFFSET)
        fh.write(_SAV_FIXED_STAMP)


def open_sink(fmt: str, path_without_ext: Path, columns: list[str]) -> Sink:
    """A sink for `path_without_ext` + the format's extension."""
    path = path_without_ext.with_name(f"{path_without_ext.name}.{fmt}")
    if fmt == "parquet":
        return ParquetSink(path, columns)
    if fmt == "csv":
        return CsvSink(path, columns)
    if fmt == "sav":
        return SavSink(path, columns)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
