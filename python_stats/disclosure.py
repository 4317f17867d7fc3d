"""Statistical disclosure control: rounding of counts and suppression of small cells.

Counts are rounded to the nearest multiple of the rounding base (halves up, so with base 10 a 15
becomes 20). A cell is suppressed when one of the unrounded counts it rests on (numerator or
denominator of a share, the group sizes and case counts of a ratio, the n of a mean) is below the
minimum cell size. Suppression is decided on unrounded counts, rounding is applied afterwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DisclosureRules:
    """The rounding base and the minimum cell size."""

    round_base: int = 5
    min_cell: int = 10

    def __post_init__(self) -> None:
        if self.round_base < 1:
            raise ValueError(f"round_base must be >= 1, got {self.round_base}")
        if self.min_cell < 0:
            raise ValueError(f"min_cell must be >= 0, got {self.min_cell}")


def round_count(count: float | None, base: int) -> float:
    """Round a count to the nearest multiple of `base` (halves up); NaN stays NaN."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return math.nan
    return float(math.floor(count / base + 0.5) * base)


def is_suppressed(cells: tuple[int, ...], min_cell: int) -> bool:
    """True when any of the unrounded counts a figure rests on is below `min_cell`."""
    return any(c < min_cell for c in cells)


def is_multiple(value: float, base: int) -> bool:
    """True when `value` is NaN or a whole multiple of `base`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return float(value) % base == 0
