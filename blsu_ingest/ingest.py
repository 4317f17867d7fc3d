"""Ingestion: the one read path from the raw folder to files every engine can read.

`ingest` takes inventory of the raw folder, resolves the highest version per year, validates
every used file against the raw-extract contract (required columns, person keys, date columns;
errors name the file, column and row) and makes it available in one canonical form: Parquet with
every column as text under its upper-case contract name.

- A Parquet file already in that form is validated and hard-linked into the ingest folder (no
  copy of its bytes; copied only when the ingest folder lies on another file system).
- Any other file (.csv, .sav, Parquet with numeric or lower-case columns) is converted, batch by
  batch (bounded memory), into the ingest folder.

Either way the canonical file is `<ingest folder>/<DATASET>/<stem>.<signature>.parquet`, so what
the warehouse reads after the build never depends on where the raw folder lies.

Each dataset folder of the ingest folder keeps its inventory (`_inventory.json`): per file its
year, version, status, rows, signature and canonical path. A file whose name and signature
(size and modification time) are unchanged is not read again, so an unchanged `.sav` is read
once, by the first ingestion. States: `new`, `changed`, `unchanged`, `superseded`, `gone`.

Nothing here depends on the warehouse engine: the canonical files are plain Parquet. Converted
files of an older signature are kept until `prune` (after a warehouse that no longer reads them
has been swapped in), so a failed build never loses the files the current warehouse reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from blsu_core.datasets import DATASETS, DatasetSpec
from blsu_ingest.inventory import BaselineFile, FileEntry, compare, inventory_dataset
from blsu_ingest.readers import (
    _read_file,
    check_required_columns,
    column_key,
    count_rows,
    read_columns,
)

MANIFEST = "_inventory.json"
INGEST_VARIABLE = "BLSU_INGEST_DIR"
MANIFEST_VERSION = 2
Say = Callable[[str], None]


@dataclass(frozen=True)
class IngestedFile:
    """One file of a dataset folder as the ingestion found and left it."""

    dataset: str
    path: str  # the raw file
    file_name: str
    file_format: str
    year: int | None
    version: int | None
    status: str  # used, superseded, unrecognised
    state: str  # new, changed, unchanged, superseded, gone
    n_rows: int | None
    size_bytes: int
    modified_at: int
    signature: str
    canonical: str | None  # the canonical Parquet file of a used file


def default_ingest_dir(db: Path) -> Path:
    """The ingest folder kept beside a warehouse file: `<db>.ingest`."""
    return db.with_name(db.name + ".ingest")


def ingest_dir_from_env(db: Path) -> Path:
    value = os.environ.get(INGEST_VARIABLE, "").strip()
    return Path(value).expanduser().resolve() if value else default_ingest_dir(db)


def is_canonical(path: Path) -> bool:
    """True for a Parquet file whose columns are all text under upper-case, trimmed names."""
    if path.suffix.lower() != ".parquet":
        return False
    schema = pq.read_schema(path)
    return all(
        field.name == column_key(field.name)
        and (pa.types.is_string(field.type) or pa.types.is_large_string(field.type))
        for field in schema
    )


def file_schema(columns: list[str], spec: DatasetSpec) -> pa.Schema:
    """The canonical schema of one file: required columns, then its extra columns, sorted."""
    extras = sorted({column_key(name) for name in columns} - set(spec.required_columns))
    return pa.schema([pa.field(n, pa.string()) for n in (*spec.required_columns, *extras)])


def _signature_tag(signature: str) -> str:
    return hashlib.sha1(signature.encode()).hexdigest()[:12]


def convert_or_validate(entry: FileEntry, spec: DatasetSpec, folder: Path) -> tuple[Path, int]:
    """Read one used file once, with every check; returns its canonical path and rows.

    A canonical Parquet file is validated, then linked into the ingest folder; any other file is
    written, batch by batch, to a temporary file that is renamed into place when complete.
    """
    columns = read_columns(entry.path)
    check_required_columns(entry.path, columns, spec)
    schema = file_schema(columns, spec)
    batches = _read_file(entry, schema, spec)
    target = folder / f"{entry.path.stem}.{_signature_tag(entry.signature)}.parquet"
    partial = partial_of(target)
    rows = 0
    try:
        if is_canonical(entry.path):
            rows = sum(batch.num_rows for batch in batches)
            _link_or_copy(entry.path, partial)
        else:
            with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
                for batch in batches:
                    writer.write_batch(batch)
                    rows += batch.num_rows
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target, rows


def partial_of(target: Path) -> Path:
    """The temporary file `target` is written to before it is renamed into place: one per
    process and thread, since builds that run at once (`blsu sensitivity`) each ingest (a no-op
    for unchanged files that still rewrites the inventory) into the same folder."""
    return target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.partial")


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to `source` (the same bytes, no copy), or a copy across file systems."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def read_manifest(folder: Path) -> dict[str, dict[str, object]]:
    """The previous inventory of one dataset's ingest folder, by file name (empty if none)."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if data.get("version") != MANIFEST_VERSION:
        return {}
    rows = {}
    for row in data.get("files", []):
        if row.get("canonical"):  # stored by name: the ingest folder may move with the warehouse
            row["canonical"] = str(folder / Path(str(row["canonical"])).name)
        rows[row["file_name"]] = row
    return rows


def _write_manifest(folder: Path, files: list[IngestedFile]) -> None:
    rows = []
    for f in files:
        row = asdict(f)
        if f.canonical:
            row["canonical"] = Path(f.canonical).name
        rows.append(row)
    partial = partial_of(folder / MANIFEST)
    partial.write_text(json.dumps({"version": MANIFEST_VERSION, "files": rows}, indent=1))
    partial.replace(folder / MANIFEST)


def baseline_of(rows: list[dict[str, object]]) -> list[BaselineFile]:
    """Inventory rows (an ingest manifest's, a warehouse record's) as a baseline to compare with;
    rows of files already gone are left out."""
    return [
        BaselineFile(
            str(row["dataset"]), str(row["file_name"]), row.get("year"),  # type: ignore[arg-type]
            row.get("version"), str(row["status"]), str(row["signature"]),  # type: ignore[arg-type]
        )
        for row in rows
        if row.get("status") != "gone"
    ]


def ingest_dataset(
    raw_dir: Path, out_dir: Path, spec: DatasetSpec, say: Say | None = None
) -> list[IngestedFile]:
    """Ingest one dataset folder, compared with its last ingestion (`compare`); returns its
    inventory (the gone files last). A used file is read only when it is new or changed, or
    when its canonical file was lost."""
    folder = out_dir / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    before = read_manifest(folder)
    files = []
    for found in compare(inventory_dataset(raw_dir, spec), baseline_of(list(before.values()))):
        old = before.get(found.file_name)
        entry, state = found.now, found.state
        if entry is None:
            files.append(IngestedFile(**{**old, "state": "gone", "status": "gone",  # type: ignore[arg-type]
                                         "canonical": None}))
            continue
        canonical = str(old["canonical"]) if old and old.get("canonical") else None
        n_rows: int | None = old.get("n_rows") if old else None  # type: ignore[assignment]
        if entry.status != "used":
            canonical = None
            if old is None or old.get("signature") != entry.signature:
                n_rows = _count_quietly(entry.path)
        elif state != "unchanged" or canonical is None or not Path(canonical).is_file():
            state = "changed" if state == "unchanged" else state  # its canonical file was lost
            if say is not None:
                say(f"ingesting {entry.path.name} ({state})")
            path, n_rows = convert_or_validate(entry, spec, folder)
            canonical = str(path)
        files.append(
            IngestedFile(
                spec.name, str(entry.path), entry.file_name, entry.file_format, entry.year,
                entry.version, entry.status, state, n_rows, entry.size_bytes, int(entry.modified),
                entry.signature, canonical,
            )
        )
    _write_manifest(folder, files)
    return files


def _count_quietly(path: Path) -> int | None:
    """Rows of a file that is not used; None when it cannot be read (it never blocks a build)."""
    from blsu_ingest.inventory import RawExtractError

    try:
        return count_rows(path)
    except RawExtractError:
        return None


def ingest(
    raw_dir: Path,
    out_dir: Path,
    datasets: list[str] | None = None,
    say: Say | None = None,
) -> dict[str, list[IngestedFile]]:
    """Ingest every dataset (or the named ones); returns each dataset's inventory."""
    names = datasets or list(DATASETS)
    return {name: ingest_dataset(raw_dir, out_dir, DATASETS[name], say) for name in names}


def canonical_paths(ingested: dict[str, list[IngestedFile]]) -> dict[Path, Path]:
    """Raw path -> canonical Parquet path of every used file (for readers of the raw files)."""
    mapping = {}
    for files in ingested.values():
        for f in files:
            if f.status == "used" and f.canonical:
                mapping[Path(f.path)] = Path(f.canonical)
    return mapping


def prune(out_dir: Path) -> None:
    """Remove converted files that no dataset's current inventory uses any more.

    Only the datasets' folders are pruned: other folders of the ingest folder (the Spark plans,
    the stored trajectory fits of gbtm.cache) have rules of their own.
    """
    if not out_dir.is_dir():
        return
    for folder in out_dir.iterdir():
        if not folder.is_dir() or folder.name not in DATASETS:
            continue
        keep = {
            str(row.get("canonical"))
            for row in read_manifest(folder).values()
            if row.get("status") == "used" and row.get("canonical")
        }
        for path in folder.glob("*.parquet"):
            if str(path) not in keep:
                path.unlink(missing_ok=True)


def inventory_table(raw_dir: Path, ingested: dict[str, list[IngestedFile]]) -> pa.Table:
    """The file inventory as a table: every data file of every dataset folder (gone files left
    out: they are no longer in the folder), plus the files of folders that are no dataset
    (status `unknown_folder`, never loaded)."""
    from blsu_ingest.inventory import unrecognised_folders
    from blsu_ingest.readers import INVENTORY_SCHEMA, folder_entries

    rows = [
        {
            "DATASET": f.dataset,
            "FILE_NAME": f.file_name,
            "FILE_FORMAT": f.file_format,
            "FILE_YEAR": f.year,
            "FILE_VERSION": f.version,
            "STATUS": f.status,
            "N_ROWS": f.n_rows,
            "SIZE_BYTES": f.size_bytes,
            "MODIFIED_AT": f.modified_at,
            "FILE_SIGNATURE": f.signature,
        }
        for files in ingested.values()
        for f in files
        if f.state != "gone"
    ]
    for folder in unrecognised_folders(raw_dir, list(DATASETS)):
        for entry in folder_entries(folder):
            rows.append(
                {
                    "DATASET": entry.dataset,
                    "FILE_NAME": entry.file_name,
                    "FILE_FORMAT": entry.file_format,
                    "FILE_YEAR": None,
                    "FILE_VERSION": None,
                    "STATUS": entry.status,
                    "N_ROWS": _count_quietly(entry.path),
                    "SIZE_BYTES": entry.size_bytes,
                    "MODIFIED_AT": int(entry.modified),
                    "FILE_SIGNATURE": entry.signature,
                }
            )
    return pa.Table.from_pylist(rows, schema=INVENTORY_SCHEMA)
