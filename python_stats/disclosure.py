"""Statistical disclosure control: the one rule every exported number passes (docs/disclosure.md).

The parameters live in one place, the dbt vars `dc_rounding_base`, `dc_min_cell`,
`dc_dominance_n`, `dc_dominance_k` and `dc_p_ratio` of dbt_project.yml;
`DisclosureRules.from_project` reads them (a run may override them). Decimals are rounded by
python_stats.rounding, the one rounding of every exported number.

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
4. Magnitudes (means, sums, rates, shares of a sum) rest on the values of persons, not on
   counts: they are shown only when `magnitude` lets them out: at least `min_cell` persons,
   the `dominance_n` largest contributions less than `dominance_k` of the total, the rest after
   the two largest at least `p_ratio` of the largest, a total that is not zero and values that
   are not all equal; and with `mean_decimals` decimals, so coarse that any group size
   consistent with the rounded n fits the mean of whole numbers (10^-d * n >= 1).
5. Differencing: where parts add up to a shown total (the four offender profiles make up the
   offenders), a part is never the only suppressed one; the next smallest part is suppressed
   with it (secondary suppression).
6. No minima or maxima, no person keys, no linking keys (python_stats.output_check refuses them).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from blsu_core.project import PROJECT_FILE, default_vars

# rule 6 and the naming of counts, by column name
PERSON_KEY_PATTERN = re.compile(
    r"rinpersoon|rinpersoons|bsn|a_nummer|voorvalnummer|onderzoeksnummer|(^|_)key($|_)",
    re.IGNORECASE)
EXTREME_PATTERN = re.compile(r"(^|_)(min|max|minimum|maximum)($|_)", re.IGNORECASE)
COUNT_PATTERN = re.compile(r"^(n|n_.+|.+_n)$", re.IGNORECASE)
ROUNDING_VAR = "dc_rounding_base"
MIN_CELL_VAR = "dc_min_cell"
DOMINANCE_N_VAR = "dc_dominance_n"
DOMINANCE_K_VAR = "dc_dominance_k"
P_RATIO_VAR = "dc_p_ratio"
RULE_VARS = (ROUNDING_VAR, MIN_CELL_VAR, DOMINANCE_N_VAR, DOMINANCE_K_VAR, P_RATIO_VAR)


@dataclass(frozen=True)
class MagnitudeVerdict:
    """Whether a magnitude may be shown, and the rule that decided it (in words that give no
    unrounded number away)."""

    passes: bool
    rule: str


@dataclass(frozen=True)
class DisclosureRules:
    """The rounding base, the minimum cell size and the magnitude rules' parameters."""

    round_base: int = 5
    min_cell: int = 10
    dominance_n: int = 2
    dominance_k: float = 0.90
    p_ratio: float = 0.10

    def __post_init__(self) -> None:
        if self.round_base < 1:
            raise ValueError(f"round_base must be >= 1, got {self.round_base}")
        if self.min_cell < 0:
            raise ValueError(f"min_cell must be >= 0, got {self.min_cell}")
        if self.dominance_n < 1:
            raise ValueError(f"dominance_n must be >= 1, got {self.dominance_n}")
        if not 0 < self.dominance_k <= 1:
            raise ValueError(f"dominance_k must be in (0, 1], got {self.dominance_k}")
        if not 0 <= self.p_ratio < 1:
            raise ValueError(f"p_ratio must be in [0, 1), got {self.p_ratio}")

    @classmethod
    def from_project(cls, round_base: int | None = None, min_cell: int | None = None,
                     project_file: Path = PROJECT_FILE) -> DisclosureRules:
        """The parameters of dbt_project.yml's vars, the rounding base and the minimum cell
        overridden when given."""
        params = project_vars(project_file)
        return cls(round_base=int(params[ROUNDING_VAR]) if round_base is None else round_base,
                   min_cell=int(params[MIN_CELL_VAR]) if min_cell is None else min_cell,
                   dominance_n=int(params[DOMINANCE_N_VAR]),
                   dominance_k=float(params[DOMINANCE_K_VAR]),
                   p_ratio=float(params[P_RATIO_VAR]))

    @property
    def magnitude_rule(self) -> str:
        """The magnitude rule in words, as output_check.csv gives it."""
        return (f"dominance ({self.dominance_n}, {self.dominance_k:.2f}) and p-ratio "
                f"{self.p_ratio:.2f}")

    def magnitude(self, contributions: object, what: str = "mean") -> MagnitudeVerdict:
        """The verdict on a magnitude over persons' contributions (one value per person, taken
        as its absolute value; docs/disclosure.md, "Magnitudes"): withheld below the minimum
        number of persons, when the `dominance_n` largest make up `dominance_k` or more of the
        total, when the total less the two largest is below `p_ratio` times the largest, when
        the total is zero or when every value is the same (the magnitude would give each
        person's value)."""
        values = sorted((abs(float(x)) for x in contributions), reverse=True)  # type: ignore[union-attr]
        total = math.fsum(values)
        if len(values) < max(self.min_cell, 1):
            return MagnitudeVerdict(False, f"{what} of fewer than {self.min_cell} persons")
        if total == 0:
            return MagnitudeVerdict(False, f"{what} of values that are all zero")
        if values[0] == values[-1]:
            return MagnitudeVerdict(False, f"{what} of values that are all the same")
        if math.fsum(values[:self.dominance_n]) >= self.dominance_k * total:
            return MagnitudeVerdict(
                False, f"{what}: the {self.dominance_n} largest contributions make up "
                f"{self.dominance_k:.0%} or more of the total (dominance)")
        rest = math.fsum(values[2:])
        if rest < self.p_ratio * values[0]:
            return MagnitudeVerdict(
                False, f"{what}: the rest after the two largest contributions is below "
                f"{self.p_ratio:.0%} of the largest (p-ratio)")
        return MagnitudeVerdict(True, f"{what} of >= {self.min_cell} persons, "
                                f"{self.magnitude_rule} pass")

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
    stat = Path(project_file).stat()
    params = dict(_vars(Path(project_file), stat.st_mtime_ns, stat.st_size))
    missing = [v for v in RULE_VARS if v not in params]
    if missing:
        raise ValueError(f"{project_file}: vars lack {', '.join(missing)}")
    return params


@functools.lru_cache(maxsize=8)
def _vars(project_file: Path, mtime_ns: int, size: int) -> dict[str, object]:
    """The vars of one version of the file (read again when it changes)."""
    del mtime_ns, size  # the cache key: the file as it is now
    return default_vars(project_file)


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
