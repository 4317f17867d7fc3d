"""The statistics layer: reads the warehouse marts, writes disclosure-controlled results."""

from python_stats.pipeline import Summary, run

__all__ = ["Summary", "run"]
