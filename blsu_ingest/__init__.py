"""Raw-extract loader: inventories CBS-style dataset folders and ingests them.

`blsu_ingest.ingest` is the ingestion (inventory, checks, canonical Parquet; the one read path,
through `blsu_ingest.readers`); `blsu_ingest.plugin` is the dbt-duckdb plugin that exposes the
ingested datasets as dbt sources.
"""

from blsu_core.datasets import DATASETS, DatasetSpec
from blsu_ingest.inventory import FileEntry, RawExtractError, inventory_dataset
from blsu_ingest.readers import read_dataset

__all__ = [
    "DATASETS",
    "DatasetSpec",
    "FileEntry",
    "RawExtractError",
    "inventory_dataset",
    "read_dataset",
]
