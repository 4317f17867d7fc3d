"""The record of what a warehouse holds, kept inside the warehouse and beside the results.

Every build and refresh writes one row into `blsu_meta.warehouse_record` of the file it swaps
in: the raw folder, every input file with its year, version, status and signature (size and
modification time: the inventory a refresh compares the raw folder with), the dbt vars, the code
version and the date basis. The results folder gets the same record
(`warehouse_record.json`) when the statistics of that warehouse are swapped in. A refresh
compares the raw folder and its vars with the warehouse's record, and the results' record with
the warehouse's, so a build with other vars, a landing that a build already loaded, a removed
file or results that were never swapped in are seen, not mistaken for "nothing new".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from blsu_core.paths import PROJECT_ROOT

SCHEMA = "blsu_meta"
TABLE = "warehouse_record"
RESULTS_FILE = "warehouse_record.json"
# what decides the contents of the warehouse and of the results besides the inputs and vars
CODE_PATHS: tuple[str, ...] = (
    "dbt_project.yml",
    "profiles",
    "models",
    "macros",
    "seeds",
    "tests/dbt",
    "blsu",
    "blsu_core",
    "blsu_ingest",
    "python_stats",
)
CODE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".py", ".json"}


class FileEntry(Protocol):
    """A file of the raw folder as the ingestion's inventory lists it
    (`blsu_ingest.inventory.FileEntry`): what the record keeps of it."""

    @property
    def dataset(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def year(self) -> int | None: ...
    @property
    def version(self) -> int | None: ...


class VarsError(ValueError):
    """`--vars` that is no YAML mapping."""


def _plain(value: Any) -> Any:
    """A YAML value as JSON would hold it: dates as ISO text, nested values likewise."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def normalise_vars(text: str | None) -> dict[str, Any]:
    """The dbt `--vars` string as a plain dict, as dbt reads it (YAML): empty when not given.

    An unquoted date (`{victim_window_end: 2023-12-31}`) is read by YAML as a date and kept as
    its ISO text, so it compares equal to the quoted form on the next run.
    """
    if not text or not text.strip():
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise VarsError(f"--vars is not valid YAML ({exc}); e.g. '{{key: value}}'") from exc
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise VarsError(f"--vars must be a YAML mapping, e.g. '{{key: value}}'; got {text!r}")
    return _plain(value)


def vars_argument(dbt_vars: dict[str, Any]) -> list[str]:
    """`--vars` for dbt from the normalised vars (none when empty)."""
    return ["--vars", json.dumps(dbt_vars, sort_keys=True)] if dbt_vars else []


def code_version(root: Path = PROJECT_ROOT) -> str:
    """A digest of the project's models, macros, seeds, loader and statistics code."""
    digest = hashlib.sha256()
    for name in CODE_PATHS:
        base = root / name
        files = [base] if base.is_file() else sorted(base.rglob("*")) if base.is_dir() else []
        for path in files:
            if (
                path.is_file()
                and path.suffix in CODE_SUFFIXES
                and "__pycache__" not in path.parts
                and not path.name.startswith(".")  # dbt's own .user.yml in profiles/
            ):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class WarehouseRecord:
    """What one warehouse file holds."""

    raw_dir: str
    inputs: list[list[Any]]
    vars: dict[str, Any]
    code_version: str
    date_basis: str

    @property
    def digest(self) -> str:
        """A short fingerprint: equal records have equal digests."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "digest": self.digest}, sort_keys=True, indent=1)

    @classmethod
    def from_json(cls, text: str) -> WarehouseRecord:
        data = json.loads(text)
        data.pop("digest", None)
        return cls(**data)


INPUT_FIELDS = ("dataset", "file_name", "status", "signature", "year", "version")


def inputs_of(entries: dict[str, list[FileEntry]]) -> list[list[Any]]:
    """The inventory the warehouse is built from: every file of the raw folder as
    [dataset, file name, status, signature, year, version] (INPUT_FIELDS), sorted. A refresh
    compares the raw folder with it (`blsu_ingest.inventory.compare`)."""
    return sorted(
        [e.dataset, e.file_name, e.status, e.signature, e.year, e.version]
        for files in entries.values()
        for e in files
    )


def input_rows(record: WarehouseRecord) -> list[dict[str, Any]]:
    """The record's inventory as rows by field name."""
    return [dict(zip(INPUT_FIELDS, row, strict=True)) for row in record.inputs]


def date_basis(dbt_vars: dict[str, Any], entries: dict[str, list[FileEntry]]) -> str:
    """The reference date the build used: the var, else the newest file year of the inputs."""
    if "reference_date" in dbt_vars:
        return f"reference_date {dbt_vars['reference_date']} (var)"
    years = [e.year for files in entries.values() for e in files if e.status == "used" and e.year]
    return f"newest file year {max(years, default=None)}"


def make_record(
    raw_dir: Path, entries: dict[str, list[FileEntry]], dbt_vars: dict[str, Any]
) -> WarehouseRecord:
    return WarehouseRecord(
        raw_dir=str(raw_dir),
        inputs=inputs_of(entries),
        vars=dbt_vars,
        code_version=code_version(),
        date_basis=date_basis(dbt_vars, entries),
    )


def write_record(con: Any, record: WarehouseRecord) -> None:
    """Store the record in the (writable) warehouse connection `con`, replacing any older one."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create or replace table {SCHEMA}.{TABLE} "
        "(digest varchar not null, record json not null, written_at timestamp not null)"
    )
    con.execute(
        f"insert into {SCHEMA}.{TABLE} values (?, ?, current_timestamp)",
        [record.digest, record.to_json()],
    )


def query_file(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]] | None:
    """Rows of a query on a warehouse file opened read-only; None when there is no file, it
    cannot be opened (corrupt, locked) or the query fails (e.g. no such table)."""
    if not db.exists():
        return None
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def record_in(con: Any) -> WarehouseRecord | None:
    """The record in an open warehouse connection; None when it holds none."""
    import duckdb

    try:
        rows = con.execute(f"select record from {SCHEMA}.{TABLE}").fetchall()
    except duckdb.Error:
        return None
    return WarehouseRecord.from_json(rows[0][0]) if rows else None


def read_record(db: Path) -> WarehouseRecord | None:
    """The record inside a warehouse file; None without a file, a readable file or a record."""
    rows = query_file(db, f"select record from {SCHEMA}.{TABLE}")
    return WarehouseRecord.from_json(rows[0][0]) if rows else None


def write_results_record(results: Path, record: WarehouseRecord) -> None:
    (results / RESULTS_FILE).write_text(record.to_json() + "\n", encoding="utf-8")


def results_digest(results: Path) -> str | None:
    """The digest of the warehouse record the results were computed from, if any."""
    path = results / RESULTS_FILE
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["digest"])
    except (OSError, ValueError, KeyError):
        return None
