"""blsu-warehouse: the `blsu` command that drives generation, the dbt build and the statistics."""

__version__ = "0.1.0"
