"""Raw-extract loader: inventories CBS-style dataset folders and reads them as text tables.

`blsu.loader.plugin` is the dbt-duckdb plugin that exposes every dataset as a dbt source;
`blsu.loader.inventory` and `blsu.loader.readers` hold the logic and can be used on their own.
"""

from blsu.loader.datasets import DATASETS, DatasetSpec
from blsu.loader.inventory import FileEntry, RawExtractError, inventory_dataset
from blsu.loader.readers import read_dataset, read_inventory

__all__ = [
    "DATASETS",
    "DatasetSpec",
    "FileEntry",
    "RawExtractError",
    "inventory_dataset",
    "read_dataset",
    "read_inventory",
]
