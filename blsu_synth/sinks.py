"""Streaming writers for the three file formats of the raw-extract contract.

Every file is written through a `Sink` that accepts pyarrow tables (all string columns) chunk by
chunk. All three stream to disk; SPSS (.sav) through the project's own writer (pyreadstat writes
whole files only), with a fixed creation date and time so that identical input gives identical
bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS: tuple[str, ...] = ("parquet", "csv", "sav")

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
    """SPSS system file, streamed chunk by chunk (`blsu_synth.sav_writer`), fixed time stamp."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        from blsu_synth.sav_writer import SavWriter

        self.path = path
        self.schema = schema_of(columns)
        self._writer = SavWriter(path, columns)

    @property
    def rows(self) -> int:
        return self._writer.rows

    def write(self, table: pa.Table) -> None:
        self._writer.write(table.select(self.schema.names).cast(self.schema))

    def close(self) -> None:
        self._writer.close()


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
