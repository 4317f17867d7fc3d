"""dbt-duckdb plugin that exposes the raw extracts as dbt sources.

Profile:   plugins: [{module: blsu.loader.plugin, alias: cbs_raw,
                      config: {raw_dir: ..., schema: raw}}]
Source:    config: {plugin: cbs_raw, dataset: SLOAANG}   (dataset `_inventory` = the file inventory)
           config: {..., incremental_target: staging.stg_cbs__police_registrations}

`raw_dir` is resolved against the working directory (the project root when dbt is run there)
and kept as an absolute path.

What a source table holds depends on the files a load reads:
- all Parquet: the *scan plan*, one row per file with its lineage, row count and SCAN_SQL, the
  SQL `select` that reads the file in place (`blsu.loader.parquet`). The staging models read a
  source through the macro `raw_extract`, which inlines `union all` of those selects: each row
  is read from the file and written into the warehouse once, by the staging model.
- otherwise (a CSV or .sav file, or nothing to read): the rows themselves, read by the Arrow
  readers (`blsu.loader.readers`) and stored by dbt-duckdb.
Both give the staging models the same text table with the same checks.

A source with `incremental_target` is loaded incrementally: when that table exists (and the run
is not `--full-refresh`) the plugin compares the used files with the (file_year, source_file,
file_signature) the table holds and hands dbt only the new and replaced years; the incremental
model then deletes and inserts those years. Otherwise every used file is read (a full load).
The inventory reuses the row counts of files it already knows (same name, size and mtime), so an
unchanged file is never opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from blsu.loader.datasets import DATASETS, DatasetSpec
from blsu.loader.incremental import HeldFile, plan_load
from blsu.loader.inventory import RawExtractError, find_dataset_folder, inventory_dataset
from blsu.loader.parquet import all_parquet, scan_plan
from blsu.loader.readers import KnownRows, read_files, read_inventory

INVENTORY = "_inventory"


class Plugin(BasePlugin):
    """Loads one dataset of the raw-extract contract per source table."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # absolute: the scan plans put file paths into staging views, which must read the
        # files from whatever directory the warehouse is queried
        self.raw_dir = Path(str(plugin_config.get("raw_dir") or "data/raw")).expanduser().resolve()
        self.schema = str(plugin_config.get("schema") or "raw")

    def configure_connection(self, conn: Any) -> None:
        """Create the source schema once, so that parallel source loads do not race on it.

        The connection is kept to read what the warehouse already holds (incremental loads).
        """
        conn.execute(f'create schema if not exists "{self.schema}"')
        self.conn = conn

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Create the folder of the warehouse file so that a fresh checkout can build."""
        path = str(getattr(creds, "path", "") or "")
        if path and path != ":memory:" and not path.startswith(("md:", "motherduck:")):
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)

    def _query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]] | None:
        """Rows of a query on the warehouse, or None when it fails (e.g. no such table)."""
        conn = getattr(self, "conn", None)
        if conn is None:
            return None
        cursor = conn.cursor()
        try:
            return cursor.execute(sql, params or []).fetchall()
        except Exception:
            return None
        finally:
            cursor.close()

    def known_rows(self) -> KnownRows:
        """Row counts of the files in the inventory the warehouse already holds."""
        rows = self._query(
            f'select dataset, file_name, file_signature, n_rows from "{self.schema}".'
            "raw_file_inventory"
        )
        return {(r[0], r[1], r[2]): r[3] for r in rows or []}

    def held_files(self, target: str) -> list[HeldFile] | None:
        """The files whose rows the incremental target holds; None means: load everything."""
        from dbt.flags import get_flags

        if getattr(get_flags(), "FULL_REFRESH", False):
            return None
        schema, _, table = target.rpartition(".")
        kind = self._query(
            "select table_type from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema or "main", table],
        )
        if not kind or kind[0][0] != "BASE TABLE":
            return None
        rows = self._query(
            f"select distinct file_year, source_file, file_version, file_signature from {target}"
        )
        if rows is None:
            return None
        return [HeldFile(r[0], r[1], r[2], r[3] or "") for r in rows]

    def load_dataset(
        self, spec: DatasetSpec, target: str | None
    ) -> pa.RecordBatchReader | pa.Table:
        """All used files (full load) or only the new and replaced years (incremental).

        Parquet files: the scan plan (read in place by the staging model); a dataset with a CSV
        or .sav file, or nothing to read: the rows, from the Arrow readers.
        """
        entries = inventory_dataset(self.raw_dir, spec)
        held = self.held_files(target) if target else None
        folder = find_dataset_folder(self.raw_dir, spec.name)
        plan = plan_load(spec, entries, held, folder)
        if all_parquet(plan.files):
            cursor = self.conn.cursor()
            try:
                return scan_plan(cursor, plan.files, spec)
            finally:
                cursor.close()
        return read_files(plan.files, spec)

    def load(self, source_config: SourceConfig) -> pa.RecordBatchReader | pa.Table:
        dataset = str(source_config.get("dataset") or source_config.identifier).upper()
        if dataset == INVENTORY.upper():
            return read_inventory(self.raw_dir, list(DATASETS.values()), self.known_rows())
        if dataset not in DATASETS:
            raise RawExtractError(
                f"source {source_config.name}.{source_config.identifier}: unknown dataset "
                f"{dataset}; known: {', '.join(DATASETS)}"
            )
        target = source_config.get("incremental_target")
        return self.load_dataset(DATASETS[dataset], str(target) if target else None)
