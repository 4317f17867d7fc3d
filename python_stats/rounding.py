"""The one rounding of every exported number (docs/disclosure.md, "One rounding step").

Half-up to a number of decimals (ties away from zero: 56.25 -> 56.3, -0.125 -> -0.13), applied
once to the unrounded value:

- an exact rational (`fractions.Fraction`, `int`; a share R(k) / R(n) of rounded counts is one)
  is rounded exactly, so 45/80 = 56.25% is 56.3 whatever binary float 100 * 45 / 80 would be;
- a value that is genuinely a float (a Wilson bound, a p-value, a test statistic, a model
  estimate) is rounded from its shortest decimal representation, `repr(x)`: the decimal that a
  reader of the float sees and that converts back to the very same float. That is deterministic
  and the same on every platform, and it is what `blsu check-output` recomputes.

Python's `round()` rounds half to even, and on binary floats (0.15 is 0.1499...) not even that
reliably: nothing under python_stats rounds an exported number except through this module.
Counts are rounded to the rounding base by python_stats.disclosure.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from numbers import Real

Number = Fraction | int | float | Decimal | Real


def exact(value: Number) -> Decimal | Fraction | None:
    """The value as an exact Decimal or Fraction; None for None, NaN or an infinity."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    number = float(value)
    if not math.isfinite(number):
        return None
    return Decimal(repr(number))


def half_up_decimal(value: Number, places: int) -> Decimal | None:
    """`value` rounded half-up (ties away from zero) to `places` decimals (negative: tens,
    hundreds, ...), as a Decimal; None for a missing value."""
    found = exact(value)
    if found is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    if isinstance(found, Fraction):
        scaled = abs(found) * Fraction(10) ** places
        whole = math.floor(scaled + Fraction(1, 2))
        result = Decimal(whole if found >= 0 else -whole).scaleb(-places)
        result = result.quantize(quantum) if places >= 0 else result
    else:
        result = found.quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result  # no negative zero


def half_up(value: Number, places: int) -> float:
    """`value` rounded half-up to `places` decimals, as the float of that decimal (its repr is
    the decimal); NaN for a missing value."""
    rounded = half_up_decimal(value, places)
    return math.nan if rounded is None else float(rounded)


def half_up_text(value: Number, places: int) -> str:
    """`value` rounded half-up to `places` decimals, written with exactly that many decimals
    ('' for a missing value): 12.497 to 0 decimals is '12'."""
    rounded = half_up_decimal(value, places)
    if rounded is None:
        return ""
    return format(rounded, "f")


def significant(value: Number, digits: int) -> float:
    """`value` rounded half-up to `digits` significant digits (0 stays 0, NaN stays NaN)."""
    found = exact(value)
    if found is None:
        return math.nan
    if found == 0:
        return 0.0
    if isinstance(found, Decimal):
        magnitude = found.adjusted()
    else:  # the float log10 of a fraction may be off by one next to a power of ten
        magnitude = math.floor(math.log10(abs(found)))
        magnitude += (Fraction(10) ** (magnitude + 1) <= abs(found)) - (
            Fraction(10) ** magnitude > abs(found))
    return half_up(found, digits - 1 - magnitude)


def share(count: int, n: int, scale: int = 100) -> Fraction | None:
    """The exact share `scale * count / n` (None when n is 0): what a table rounds."""
    return Fraction(scale * int(count), int(n)) if n else None


def to_text(value: float) -> str:
    """A number already rounded by this module as it is written in a CSV file: the shortest
    decimal of the float, without a trailing '.0' (no second rounding, unlike '%.6g')."""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
