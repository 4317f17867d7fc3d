"""dbt-duckdb plugin that exposes the raw extracts as dbt sources.

Profile:   plugins: [{module: blsu.loader.plugin, alias: cbs_raw,
                      config: {raw_dir: ..., schema: raw}}]
Source:    config: {plugin: cbs_raw, dataset: SLOAANG}   (dataset `_inventory` = the file inventory)

`raw_dir` is resolved against the working directory (the project root when dbt is run there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from blsu.loader.datasets import DATASETS
from blsu.loader.inventory import RawExtractError
from blsu.loader.readers import read_dataset, read_inventory

INVENTORY = "_inventory"


class Plugin(BasePlugin):
    """Loads one dataset of the raw-extract contract per source table."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.raw_dir = Path(str(plugin_config.get("raw_dir") or "data/raw")).expanduser()
        self.schema = str(plugin_config.get("schema") or "raw")

    def configure_connection(self, conn: Any) -> None:
        """Create the source schema once, so that parallel source loads do not race on it."""
        conn.execute(f'create schema if not exists "{self.schema}"')

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Create the folder of the warehouse file so that a fresh checkout can build."""
        path = str(getattr(creds, "path", "") or "")
        if path and path != ":memory:" and not path.startswith(("md:", "motherduck:")):
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)

    def load(self, source_config: SourceConfig) -> pa.RecordBatchReader | pa.Table:
        dataset = str(source_config.get("dataset") or source_config.identifier).upper()
        if dataset == INVENTORY.upper():
            return read_inventory(self.raw_dir, list(DATASETS.values()))
        if dataset not in DATASETS:
            raise RawExtractError(
                f"source {source_config.name}.{source_config.identifier}: unknown dataset "
                f"{dataset}; known: {', '.join(DATASETS)}"
            )
        return read_dataset(self.raw_dir, DATASETS[dataset])
