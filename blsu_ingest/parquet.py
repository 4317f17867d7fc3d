"""The scan plan: SQL `select`s that read the canonical Parquet files of one dataset.

Every used file has been ingested (`blsu_ingest.ingest`): validated, and in canonical form (all
columns text, upper-case names), so a select only picks the dataset's columns (null for a column
a file lacks) and adds the lineage literals. `union all` of a plan's selects, in file order, is
the dataset: required columns, the union of extra columns sorted, then SOURCE_FILE, FILE_YEAR,
FILE_VERSION and FILE_SIGNATURE.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from blsu_core.datasets import DatasetSpec
from blsu_ingest.ingest import IngestedFile
from blsu_ingest.readers import LINEAGE_FIELDS

SCAN_COLUMN = "SCAN_SQL"


def quote_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def quote_name(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def plan_schema(files: list[IngestedFile], spec: DatasetSpec) -> pa.Schema:
    """Required columns first, then the union of the files' extra columns (sorted), lineage."""
    lineage = {field.name for field in LINEAGE_FIELDS}
    extras: set[str] = set()
    for f in files:
        extras.update(pq.read_schema(str(f.canonical)).names)
    extra_names = sorted(extras - set(spec.required_columns) - lineage)
    fields = [pa.field(name, pa.string()) for name in (*spec.required_columns, *extra_names)]
    return pa.schema([*fields, *LINEAGE_FIELDS])


@dataclass(frozen=True)
class Dialect:
    """How an engine spells a select of a canonical file (`file_select`)."""

    quote: str  # of identifiers
    integer: str  # the type of FILE_YEAR and FILE_VERSION
    text: str  # the type of a column a file lacks
    spark_source: bool  # parquet.`path` (Spark), else read_parquet('path') (DuckDB)

    def name(self, name: str) -> str:
        return self.quote + name.replace(self.quote, self.quote * 2) + self.quote

    def source(self, path: str) -> str:
        return f"parquet.{self.name(path)}" if self.spark_source else (
            f"read_parquet({quote_literal(path)})")


DIALECTS = {
    "duckdb": Dialect(quote='"', integer="integer", text="varchar", spark_source=False),
    "spark": Dialect(quote="`", integer="int", text="string", spark_source=True),
}


def file_select(f: IngestedFile, schema: pa.Schema, dialect: str = "duckdb") -> str:
    """One canonical file as a select in the dataset schema, in SQL of `dialect` (DIALECTS)."""
    sql = DIALECTS[dialect]
    present = set(pq.read_schema(str(f.canonical)).names)
    lineage = {
        "SOURCE_FILE": quote_literal(f.file_name),
        "FILE_YEAR": f"cast({'null' if f.year is None else f.year} as {sql.integer})",
        "FILE_VERSION": f"cast({'null' if f.version is None else f.version} as {sql.integer})",
        "FILE_SIGNATURE": quote_literal(f.signature),
    }
    items = []
    for field in schema:
        if field.name in lineage:
            value = lineage[field.name]
        elif field.name in present:
            value = sql.name(field.name)
        else:
            value = f"cast(null as {sql.text})"
        items.append(f"{value} as {sql.name(field.name)}")
    return f"select {', '.join(items)} from {sql.source(str(f.canonical))}"


def scan_plan(files: list[IngestedFile], spec: DatasetSpec) -> pa.Table:
    """One row per used file: lineage, rows and SCAN_SQL; an empty dataset is an empty table of
    the dataset's columns (so that its staging model still builds, with no rows)."""
    used = [f for f in files if f.status == "used" and f.canonical]
    schema = plan_schema(used, spec)
    if not used:
        return schema.empty_table()
    return pa.table(
        {
            "SOURCE_FILE": pa.array([f.file_name for f in used], pa.string()),
            "FILE_YEAR": pa.array([f.year for f in used], pa.int32()),
            "FILE_VERSION": pa.array([f.version for f in used], pa.int32()),
            "FILE_SIGNATURE": pa.array([f.signature for f in used], pa.string()),
            "N_ROWS": pa.array([f.n_rows for f in used], pa.int64()),
            SCAN_COLUMN: pa.array([file_select(f, schema) for f in used], pa.string()),
        }
    )

