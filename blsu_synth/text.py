"""Vectorised conversion of generated integers to the contract's text columns.

Dates are held as int32 days since 1970-01-01 with -1 for unknown; keys as int64.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

UNKNOWN_DATE = -1
RINPERSOONS_CODES = ("R", "B", "X")


def day(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(iso, "D").astype(np.int64))


def date_from_parts(year: np.ndarray, month: np.ndarray, dom: np.ndarray) -> np.ndarray:
    """Days since epoch of (year, month, day-of-month) arrays."""
    months = (year.astype(np.int64) - 1970) * 12 + (month.astype(np.int64) - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + dom.astype(np.int64) - 1


def date_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day-of-month) arrays of days since epoch."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    dom = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, dom


def minus_years(days: np.ndarray, years: int) -> np.ndarray:
    """Calendar shift by whole years, 29 February -> 28 February (as SQL date - interval)."""
    y, m, d = date_parts(days)
    d = np.where((m == 2) & (d == 29), 28, d)
    return date_from_parts(y - years, m, d)


def text_dates(days: np.ndarray) -> pa.Array:
    """YYYYMMDD text, empty string for unknown (negative) days."""
    arr = pa.array(days.astype(np.int32), type=pa.int32())
    mask = pa.array(days < 0)
    dates = pc.if_else(mask, pa.scalar(None, pa.int32()), arr).cast(pa.date32())
    return pc.fill_null(pc.strftime(dates, format="%Y%m%d"), "")


def text_padded(values: np.ndarray, width: int, prefix: str = "") -> pa.Array:
    """Zero-padded decimal text of non-negative integers, optionally with a prefix."""
    text = pc.utf8_lpad(pa.array(values.astype(np.int64)).cast(pa.string()), width, "0")
    if prefix:
        text = pc.binary_join_element_wise(prefix, text, "")
    return text


def text_int(values: np.ndarray) -> pa.Array:
    """Plain decimal text of integers."""
    return pa.array(values.astype(np.int64)).cast(pa.string())


def text_lookup(index: np.ndarray, labels: tuple[str, ...] | list[str]) -> pa.Array:
    """Labels picked by integer index."""
    return pa.array(list(labels), type=pa.string()).take(pa.array(index.astype(np.int64)))
