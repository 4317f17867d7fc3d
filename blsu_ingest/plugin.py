"""dbt-duckdb plugin that exposes the ingested raw extracts as dbt sources.

Profile:   plugins: [{module: blsu_ingest.plugin, alias: cbs_raw,
                      config: {raw_dir: ..., ingest_dir: ..., schema: raw}}]
Source:    config: {plugin: cbs_raw, dataset: SLOAANG}   (dataset `_inventory` = the file inventory)

The plugin only exposes the ingestion (`blsu_ingest.ingest`): it runs it for the dataset (a
no-op for files already ingested with the same signature, so a plain `dbt build` on a fresh raw
folder works, and `blsu build` pays nothing twice) and hands dbt the *scan plan*: one row per
used file with its lineage, row count and SCAN_SQL, the `select` that reads its canonical
Parquet file (`blsu_ingest.parquet`). The staging models read a source through the macro
`raw_extract`, which inlines `union all` of those selects; an incremental staging model leaves
out the files it already holds with the same signature (macro docs). The plugin never reads the
warehouse to decide what to load.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from blsu_core.datasets import DATASETS
from blsu_ingest.ingest import default_ingest_dir, ingest, inventory_table
from blsu_ingest.inventory import RawExtractError
from blsu_ingest.parquet import scan_plan

INVENTORY = "_inventory"
_INGESTING = threading.Lock()  # dbt loads sources on several threads; one ingestion at a time


class Plugin(BasePlugin):
    """Exposes one ingested dataset of the raw-extract contract per source table."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.raw_dir = Path(str(plugin_config.get("raw_dir") or "data/raw")).expanduser().resolve()
        folder = plugin_config.get("ingest_dir")
        self.ingest_dir = (
            Path(str(folder)).expanduser().resolve()
            if folder
            else default_ingest_dir(Path("data/blsu.duckdb").resolve())
        )
        self.schema = str(plugin_config.get("schema") or "raw")

    def configure_connection(self, conn: Any) -> None:
        """Create the source schema once, so that parallel source loads do not race on it."""
        conn.execute(f'create schema if not exists "{self.schema}"')

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Create the folder of the warehouse file so that a fresh checkout can build."""
        path = str(getattr(creds, "path", "") or "")
        if path and path != ":memory:" and not path.startswith(("md:", "motherduck:")):
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)

    def load(self, source_config: SourceConfig) -> pa.Table:
        dataset = str(source_config.get("dataset") or source_config.identifier).upper()
        if dataset == INVENTORY.upper():
            with _INGESTING:
                return inventory_table(self.raw_dir, ingest(self.raw_dir, self.ingest_dir))
        if dataset not in DATASETS:
            raise RawExtractError(
                f"source {source_config.name}.{source_config.identifier}: unknown dataset "
                f"{dataset}; known: {', '.join(DATASETS)}"
            )
        with _INGESTING:
            files = ingest(self.raw_dir, self.ingest_dir, [dataset])[dataset]
        return scan_plan(files, DATASETS[dataset])
