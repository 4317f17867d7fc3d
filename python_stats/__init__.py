"""The statistics layer: reads the warehouse marts, writes disclosure-controlled results."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from python_stats.pipeline import Summary, run

__all__ = ["Summary", "run"]


def __getattr__(name: str) -> object:
    """`run` and `Summary` on first use, so that the command-line parser starts without scipy."""
    if name in __all__:
        from python_stats import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'python_stats' has no attribute {name!r}")
