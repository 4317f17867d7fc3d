"""Reading generated files back in any of the three formats, as all-text pyarrow tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pyreadstat


def read_any(path: Path) -> pa.Table:
    """A generated file as a table of its columns as stored (parquet, csv or sav)."""
    if path.suffix == ".parquet":
        return pq.read_table(path)
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        options = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=False
        )
        return pacsv.read_csv(path, convert_options=options)
    if path.suffix == ".sav":
        frame, _ = pyreadstat.read_sav(str(path))
        return pa.Table.from_pandas(frame, preserve_index=False)
    raise ValueError(f"unexpected file {path}")


def files_of(root: Path, dataset: str) -> list[Path]:
    return sorted(p for p in (root / dataset).iterdir() if p.is_file())
