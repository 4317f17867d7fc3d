"""The ingestion: the raw extracts as the warehouse reads them.

`blsu_ingest.ingest` is the ingestion (inventory, checks, canonical Parquet; the one read path,
through `blsu_ingest.readers`); `blsu_ingest.inventory` finds the files and their versions,
`blsu_ingest.expectations` checks what every dataset must hold, and `blsu_ingest.plugin` is the
dbt-duckdb plugin that exposes the ingested datasets as dbt sources. The raw-extract contract
itself is the foundation's (`blsu_core.datasets`). Import from the modules: the package imports
none of them, so that a command needing one (an error class, the contract) loads no more.
"""
