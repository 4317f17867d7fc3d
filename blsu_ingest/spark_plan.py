"""The scan plans of the ingested extracts in Spark SQL, for the `spark` target (docs/engines.md).

On DuckDB the loader plugin hands dbt the scan plan of a source (`blsu_ingest.parquet`). Spark
has no such plugin, so the same plans are written as Parquet files that Spark reads itself:
`<ingest folder>/_spark/<DATASET>.parquet`, one row per used file with its lineage, row count
and SCAN_SQL, a Spark `select` of the file's canonical Parquet form in the dataset schema of
`blsu_ingest.parquet.plan_schema` (a dataset without files: one row without lineage whose select
has no rows), and `_spark/raw_file_inventory.parquet`, the file inventory (`inventory_table`).
The macro `raw_extract` reads them on Spark. They are written after every ingestion that `blsu`
runs (`blsu ingest`, build, run, refresh).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from blsu_core.datasets import DATASETS, DatasetSpec
from blsu_ingest.ingest import IngestedFile, inventory_table
from blsu_ingest.parquet import DIALECTS, SCAN_COLUMN, file_select, plan_schema, scan_plan

PLAN_FOLDER = "_spark"
INVENTORY_FILE = "raw_file_inventory.parquet"  # no leading `_`: Hadoop hides such files
SPARK = DIALECTS["spark"]


def empty_select(schema: pa.Schema) -> str:
    """A select of the dataset's columns without rows (a dataset without files)."""
    types = {pa.int32(): SPARK.integer}
    items = [
        f"cast(null as {types.get(field.type, SPARK.text)}) as {SPARK.name(field.name)}"
        for field in schema
    ]
    return f"select {', '.join(items)} where false"


def spark_scan_plan(files: list[IngestedFile], spec: DatasetSpec) -> pa.Table:
    """The dataset's scan plan (`blsu_ingest.parquet.scan_plan`) with Spark selects."""
    used = [f for f in files if f.status == "used" and f.canonical]
    schema = plan_schema(used, spec)
    plan = scan_plan(files, spec)
    if not used:
        return pa.table(
            {
                "SOURCE_FILE": pa.array([None], pa.string()),
                "FILE_YEAR": pa.array([None], pa.int32()),
                "FILE_VERSION": pa.array([None], pa.int32()),
                "FILE_SIGNATURE": pa.array([None], pa.string()),
                "N_ROWS": pa.array([0], pa.int64()),
                SCAN_COLUMN: pa.array([empty_select(schema)], pa.string()),
            }
        )
    selects = pa.array([file_select(f, schema, "spark") for f in used], pa.string())
    return plan.set_column(plan.schema.get_field_index(SCAN_COLUMN), SCAN_COLUMN, selects)


def write_spark_plans(
    raw_dir: Path, ingest_dir: Path, ingested: dict[str, list[IngestedFile]]
) -> Path:
    """Write the Spark scan plan of every ingested dataset and the inventory; return the folder."""
    folder = ingest_dir / PLAN_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, files in ingested.items():
        _write(spark_scan_plan(files, DATASETS[name]), folder / f"{name}.parquet")
    _write(inventory_table(raw_dir, ingested), folder / INVENTORY_FILE)
    return folder


def _write(table: pa.Table, path: Path) -> None:
    """Write atomically: a reader never sees half a plan."""
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial)
    partial.replace(path)
