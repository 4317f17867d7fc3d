"""Raw-extract loader: inventories CBS-style dataset folders and ingests them.

`blsu.loader.ingest` is the ingestion (inventory, checks, canonical Parquet; the one read path,
through `blsu.loader.readers`); `blsu.loader.plugin` is the dbt-duckdb plugin that exposes the
ingested datasets as dbt sources.
"""

from blsu.loader.datasets import DATASETS, DatasetSpec
from blsu.loader.inventory import FileEntry, RawExtractError, inventory_dataset
from blsu.loader.readers import read_dataset

__all__ = [
    "DATASETS",
    "DatasetSpec",
    "FileEntry",
    "RawExtractError",
    "inventory_dataset",
    "read_dataset",
]
