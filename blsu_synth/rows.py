"""Row batches: dicts of equally long numpy arrays, the generator's internal table form."""

from __future__ import annotations

import numpy as np

Rows = dict[str, np.ndarray]


def concat(batches: list[Rows]) -> Rows:
    """Concatenate row batches with the same columns (empty list -> empty dict)."""
    batches = [b for b in batches if b]
    if not batches:
        return {}
    return {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}


def take(rows: Rows, index: np.ndarray) -> Rows:
    """Rows at the given positions (or boolean mask)."""
    return {k: v[index] for k, v in rows.items()}


def n_rows(rows: Rows) -> int:
    return len(next(iter(rows.values()))) if rows else 0


def sort_by(rows: Rows, *keys: str) -> Rows:
    """Stable sort by the given columns (first key most significant)."""
    if not rows:
        return rows
    order = np.lexsort(tuple(rows[k] for k in reversed(keys)))
    return take(rows, order)


def segment_starts(counts: np.ndarray) -> np.ndarray:
    """Start offset of each segment for segment lengths `counts`."""
    starts = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=starts[1:])
    return starts


def rank_within(counts: np.ndarray) -> np.ndarray:
    """0..count-1 within each segment, for np.repeat(arange(len(counts)), counts)."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(segment_starts(counts), counts)
