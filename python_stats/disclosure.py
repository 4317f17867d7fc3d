"""Statistical disclosure control: the one rule every exported number passes (docs/disclosure.md).

The parameters live in one place, the dbt vars `dc_rounding_base` and `dc_min_cell` of
dbt_project.yml; `DisclosureRules.from_project` reads them (a run may override them).

1. Counts are rounded to the nearest multiple of the rounding base (halves up: base 10 makes a
   15 a 20). Whether a number may be shown is decided on the unrounded counts.
2. A count, a share or anything derived from a table of counts is shown only when every cell it
   rests on has at least `min_cell` persons: for a share k of n the numerator k, the denominator n
   and the complement n - k; for a ratio of two shares all four cells; for a test every cell of
   its table. Data-quality record counts follow the same minimum (a zero, which describes no one,
   is shown).
3. Numbers derived from a table are computed from its rounded counts (share R(k) / R(n), ratio,
   interval, test statistic, p-value, effect size), so that nothing shown lets anyone work back
   an unrounded count: it is a function of numbers that are shown anyway.
4. Means and their intervals rest on the values of persons, not on counts: they are shown only
   for groups of at least `min_cell` persons and with `mean_decimals` decimals, so coarse that
   any group size consistent with the rounded n fits the mean of whole numbers (10^-d * n >= 1).
5. Differencing: where parts add up to a shown total (the four offender profiles make up the
   offenders), a part is never the only suppressed one; the next smallest part is suppressed
   with it (secondary suppression).
6. No minima or maxima, no person keys, no linking keys (python_stats.output_check refuses them).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from blsu.project import PROJECT_FILE, default_vars

# rule 6 and the naming of counts, by column name
PERSON_KEY_PATTERN = re.compile(
    r"rinpersoon|rinpersoons|bsn|a_nummer|voorvalnummer|onderzoeksnummer|(^|_)key($|_)",
    re.IGNORECASE)
EXTREME_PATTERN = re.compile(r"(^|_)(min|max|minimum|maximum)($|_)", re.IGNORECASE)
COUNT_PATTERN = re.compile(r"^(n|n_.+|.+_n)$", re.IGNORECASE)
ROUNDING_VAR = "dc_rounding_base"
MIN_CELL_VAR = "dc_min_cell"


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

    @classmethod
    def from_project(cls, round_base: int | None = None, min_cell: int | None = None,
                     project_file: Path = PROJECT_FILE) -> DisclosureRules:
        """The parameters of dbt_project.yml's vars, each overridden when given."""
        params = project_vars(project_file)
        return cls(round_base=int(params[ROUNDING_VAR]) if round_base is None else round_base,
                   min_cell=int(params[MIN_CELL_VAR]) if min_cell is None else min_cell)

    def round(self, count: float | None) -> float:
        """A count rounded to the base (NaN stays NaN)."""
        return round_count(count, self.round_base)

    def passes(self, cells: tuple[int, ...]) -> bool:
        """True when every unrounded cell has at least min_cell persons."""
        return not is_suppressed(cells, self.min_cell)

    def rounded_share(self, count: int, n: int) -> tuple[int, int]:
        """(R(k), R(n)): the counts a share and its interval are computed from."""
        return int(self.round(count)), int(self.round(n))

    @property
    def mean_decimals(self) -> int:
        """Decimals of a mean: the most d with 10^-d * min_cell >= 1 (1 for min_cell 10)."""
        return max(0, math.floor(math.log10(self.min_cell))) if self.min_cell >= 1 else 0

    def record_count(self, count: float) -> float:
        """A data-quality record count: zero, rounded when >= min_cell, else NaN (suppressed)."""
        if count == 0:
            return 0.0
        return self.round(count) if count >= self.min_cell else math.nan


def project_vars(project_file: Path = PROJECT_FILE) -> dict[str, object]:
    """The vars of dbt_project.yml (where the disclosure parameters live)."""
    params = default_vars(project_file)
    missing = [v for v in (ROUNDING_VAR, MIN_CELL_VAR) if v not in params]
    if missing:
        raise ValueError(f"{project_file}: vars lack {', '.join(missing)}")
    return params


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


def secondary_suppression(suppressed: dict[str, bool], sizes: dict[str, float]) -> set[str]:
    """The parts to suppress besides those already suppressed, so that no part is the only
    suppressed one of a partition whose total is shown: the smallest shown part (by `sizes`)."""
    hidden = [p for p, s in suppressed.items() if s]
    shown = [p for p, s in suppressed.items() if not s]
    if len(hidden) != 1 or not shown:
        return set()
    return {min(shown, key=lambda p: (sizes.get(p, math.inf), p))}
