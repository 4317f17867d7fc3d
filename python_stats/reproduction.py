"""Setting every published number and significance statement beside its reproduction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd

from blsu_core.project import PROJECT_ROOT
from python_stats.marts import CONTROLS, GROUPS, PROFILES
from python_stats.rounding import exact, half_up_text

PUBLISHED_DIR = PROJECT_ROOT / "published"
PUBLISHED_FILE = PUBLISHED_DIR / "published_figures.csv"
STATEMENTS_FILE = PUBLISHED_DIR / "published_statements.csv"
PUBLISHED_COLUMNS = ("figure", "measure", "group", "value", "unit", "text_measure", "text_low",
                     "text_high", "note")
STATEMENT_COLUMNS = ("figure", "measure", "group", "statement", "comparison", "band")
ROW_KEY = ["figure", "measure", "group"]
NOT_REPRODUCIBLE = {
    "peak_age_range": (
        "not reproducible: the age range of peak offending comes from the trajectory model's "
        "offending curve by age, and the warehouse holds no trajectory model"
    ),
}
PEAK_RANGE_NOTE = (
    "trajectory model (python_stats.trajectories): ages at which the group's expected cases "
    "per year are at least half its peak"
)


@dataclass(frozen=True)
class Statement:
    """One published significance statement: which comparison and which band."""

    comparison: str  # 'blsu_vs_controls', 'profiles' or 'profile_vs_controls:<profile>'
    band: str

    def label(self) -> str:
        return f"{comparison_label(self.comparison)}: {self.band}"


def read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A file of the published figures, every column as text."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def read_published(path: Path = PUBLISHED_FILE,
                   statements_path: Path = STATEMENTS_FILE) -> pd.DataFrame:
    """The published numbers, one row each, with their significance statements (column
    `statements`, a list of Statement in the report's order)."""
    frame = read_csv(path, PUBLISHED_COLUMNS)
    statements = read_csv(statements_path, STATEMENT_COLUMNS)
    statements = statements.assign(order=statements["statement"].astype(int)).sort_values(
        [*ROW_KEY, "order"], kind="stable")
    by_row = {
        key: [Statement(statement_comparison(row.comparison, key[2]), row.band)
              for row in rows.itertuples()]
        for key, rows in statements.groupby(ROW_KEY, sort=False)
    }
    frame["statements"] = [by_row.get(tuple(key), [])
                           for key in frame[ROW_KEY].itertuples(index=False)]
    return frame


def statement_comparison(comparison: str, group: str) -> str:
    """A statement's comparison; one of a profile against the controls names the profile."""
    return f"{comparison}:{group}" if comparison == "profile_vs_controls" else comparison


def comparison_label(comparison: str) -> str:
    """'blsu vs controls', 'vroeg_piek vs controls' or 'profiles'."""
    if comparison.startswith("profile_vs_controls:"):
        return f"{comparison.split(':', 1)[1]} vs controls"
    return comparison.replace("_", " ")


def tested_measure(figure: str, measure: str) -> tuple[str, str] | None:
    """The (tests.csv measure, population) a published row's significance refers to."""
    if figure == "A1":
        return "has_lvb", "all"
    if measure in ("victim_any_2010_2023", "profiles_differ") and figure == "A2":
        return "is_victim", "all"
    if measure == "victim_recent_3y_before_first_ht":
        return "recent_victim_3y", "eligible offenders"
    if measure == "mean_victimisations_among_victims":
        return "n_victimisations", "victims"
    prefix = "victim_type_pct_among_victims_"
    if measure.startswith(prefix):
        return "victim_" + measure.removeprefix(prefix), "victims"
    return None


def comparison_groups(comparison: str) -> tuple[str, str]:
    """The (family, groups) of tests.csv that a statement's comparison refers to."""
    if comparison == "blsu_vs_controls":
        return "groups", " vs ".join(GROUPS)
    if comparison == "profiles":
        return "profiles", " vs ".join(PROFILES)
    profile = comparison.split(":", 1)[1]
    return "profile_vs_controls", " vs ".join((profile, *CONTROLS))


def first_row(frame: pd.DataFrame, **match: object) -> pd.Series | None:
    """The first row whose columns equal the given values (None when there is none, or when
    the frame lacks a column, as an empty table does)."""
    if any(column not in frame.columns for column in match):
        return None
    hits = frame[(frame[list(match)] == pd.Series(match)).all(axis=1)]
    return None if hits.empty else hits.iloc[0]


def first_rows(frame: pd.DataFrame, key: tuple[str, ...]) -> dict[tuple, pd.Series]:
    """Each key's first row (the lookup of `first_row`, built once for many lookups)."""
    if frame.empty or any(column not in frame.columns for column in key):
        return {}
    out: dict[tuple, pd.Series] = {}
    for position, values in enumerate(frame[list(key)].itertuples(index=False, name=None)):
        if values not in out:
            out[values] = frame.iloc[position]
    return out


@dataclass(frozen=True)
class Reproduced:
    """The controlled estimates and tests.csv, looked up by the reproduction."""

    table: pd.DataFrame
    tests: pd.DataFrame
    by_key: dict[tuple, pd.Series]
    by_measure_group: dict[tuple, pd.Series]
    by_test: dict[tuple, pd.Series]

    @classmethod
    def of(cls, table: pd.DataFrame, tests: pd.DataFrame) -> Reproduced:
        return cls(table, tests, first_rows(table, ("figure", "measure", "group")),
                   first_rows(table, ("measure", "group")),
                   first_rows(tests, ("measure", "population", "family", "groups")))

    def estimate(self, figure: str, measure: str, group: str) -> pd.Series | None:
        return self.by_key.get((figure, measure, group))

    def by_measure(self, measure: str, group: str) -> pd.Series | None:
        """An estimate of any figure."""
        return self.by_measure_group.get((measure, group))

    def test(self, measure: str, pop: str, family: str, groups: str) -> pd.Series | None:
        return self.by_test.get((measure, pop, family, groups))


SUPPRESSED = "suppressed"


def reproduced_band(found: Reproduced, measure: str, pop: str, comparison: str) -> str:
    """The band of the omnibus test behind a statement ('' when there is none, 'suppressed'
    when disclosure control withholds the test)."""
    family, groups = comparison_groups(comparison)
    hit = found.test(measure, pop, family, groups)
    if hit is None:
        return ""
    return SUPPRESSED if bool(hit.get("suppressed", False)) else str(hit["band"])


def display_places(unit: str) -> int:
    """The report's precision: percentages 0 decimals, ratios and means 1, persons 0."""
    return 0 if unit.startswith("pct") or unit == "persons" else 1


#: Unrounded interval bounds that the report rounds once; never written.
EXACT_BOUNDS = ("ci_low_exact", "ci_high_exact")


def format_number(value: float | Fraction | None, places: int) -> str:
    """Half-up rounding to `places` decimals, as the report rounds ('' for NaN): one rounding
    step, from the unrounded estimate (never from a number already rounded for a table)."""
    return half_up_text(value, places)


def exact_value(row: pd.Series) -> float | Fraction:
    """A controlled estimate before rounding (the table's value when it has no exact one): a
    rational where the estimate is one, else a float (NaN when withheld)."""
    value = row.get("value_exact", row["value"])
    return value if isinstance(value, Fraction) else float(value)


def is_missing(value: float | Fraction | None) -> bool:
    """True for a withheld (NaN) or absent value."""
    return exact(value) is None


def written(reproduction: pd.DataFrame) -> pd.DataFrame:
    """reproduction.csv as written: without the unrounded bounds."""
    return reproduction.drop(columns=list(EXACT_BOUNDS), errors="ignore")


def to_float(text: str) -> float:
    """A published value as a number (NaN when empty or a range such as 15-22)."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def reproduction_row(
    pub: pd.Series, found: Reproduced, peak_ranges: dict[str, str] | None = None
) -> dict:
    """One row of reproduction.csv (peak-age ranges from the trajectory model when given)."""
    e = found.estimate(pub["figure"], pub["measure"], pub["group"])
    published = to_float(pub["value"])
    row = {"figure": pub["figure"], "measure": pub["measure"], "group": pub["group"],
           "value": pub["value"], "unit": pub["unit"], "reproduced": "", "ci_low": math.nan,
           "ci_high": math.nan, "inside_ci": "", "suppressed": False, "note": "",
           **dict.fromkeys(EXACT_BOUNDS, math.nan)}
    if pub["measure"] == "peak_age_range" and pub["group"] in (peak_ranges or {}):
        row["reproduced"] = (peak_ranges or {})[pub["group"]]
        row["note"] = PEAK_RANGE_NOTE
    elif pub["measure"] in NOT_REPRODUCIBLE:
        row["note"] = NOT_REPRODUCIBLE[pub["measure"]]
    elif e is not None:
        row["suppressed"] = bool(e.get("suppressed", False))
        row["reproduced"] = format_number(exact_value(e), display_places(pub["unit"]))
        row["ci_low"], row["ci_high"] = float(e["ci_low"]), float(e["ci_high"])
        for column in EXACT_BOUNDS:
            row[column] = float(e.get(column, e[column.removesuffix("_exact")]))
        row["note"] = str(e["note"]) if isinstance(e["note"], str) else ""
        bounds = (row["ci_low"], row["ci_high"])
        if not math.isnan(published) and not any(math.isnan(b) for b in bounds):
            row["inside_ci"] = bool(bounds[0] <= published <= bounds[1])
    row.update(significance_columns(pub, found))
    row["note"] = "; ".join(x for x in (row["note"], note_check(pub, found)) if x)
    return row


BAND_ORDER = ("<0.001", "<0.01", "<0.05", "n.s.")


def statement_holds(published: str, reproduced: str) -> bool:
    """Whether a published statement is true of the reproduced test.

    'p<0.01' is a statement that p is below 0.01, so it holds for a reproduced p below 0.001 too;
    'n.s.' holds only when the reproduced p is not below 0.05. A missing test never agrees.
    """
    if published not in BAND_ORDER or reproduced not in BAND_ORDER:
        return False
    if published == "n.s.":
        return reproduced == "n.s."
    return BAND_ORDER.index(reproduced) <= BAND_ORDER.index(published)


def significance_columns(pub: pd.Series, found: Reproduced) -> dict[str, object]:
    """Published significance statements beside the reproduced bands."""
    statements: list[Statement] = pub["statements"]
    target = tested_measure(pub["figure"], pub["measure"])
    if not statements or target is None:
        return {"published_significance": "", "reproduced_band": "", "agrees": "",
                "statements_total": 0, "statements_agreeing": 0, "statements_same_band": 0,
                "statements_suppressed": 0}
    bands = [reproduced_band(found, *target, s.comparison) for s in statements]
    pairs = list(zip(statements, bands, strict=True))
    agreeing = sum(statement_holds(s.band, b) for s, b in pairs)
    withheld = sum(b == SUPPRESSED for b in bands)
    return {
        "published_significance": "; ".join(s.label() for s in statements),
        "reproduced_band": "; ".join(
            f"{comparison_label(s.comparison)}: {b or 'not tested'}"
            for s, b in zip(statements, bands, strict=True)),
        "agrees": agreeing == len(statements),
        "statements_total": len(statements),
        "statements_agreeing": agreeing,
        "statements_same_band": sum(s.band == b for s, b in pairs),
        "statements_suppressed": withheld,
    }


def note_check(pub: pd.Series, found: Reproduced) -> str:
    """A number the report's text gives beside the published one (text_measure, text_low,
    text_high): '29% start their career with HT', 'between 48 and 52'."""
    if not pub["text_measure"]:
        return ""
    hit = found.by_measure(pub["text_measure"], pub["group"])
    if hit is None or is_missing(exact_value(hit)):
        return ""
    shown = format_number(exact_value(hit), 0)
    low, high = pub["text_low"], pub["text_high"]
    if low == high:
        return f"note gives {low}%, reproduced {shown}%"
    inside = "inside" if float(low) <= float(shown) <= float(high) else "outside"
    return f"note gives {low}-{high}, reproduced {shown} ({inside})"


def reproduction_table(
    published: pd.DataFrame,
    table: pd.DataFrame,
    tests: pd.DataFrame,
    peak_ranges: dict[str, str] | None = None,
) -> pd.DataFrame:
    """reproduction.csv: one row per published row, in the published order."""
    found = Reproduced.of(table, tests)
    return pd.DataFrame(
        [reproduction_row(p, found, peak_ranges) for _, p in published.iterrows()]
    )


@dataclass(frozen=True)
class Agreement:
    """The summary counts of a reproduction."""

    numbers_inside: int
    numbers_compared: int
    numbers_published: int
    statements_agreeing: int
    statements: int
    statements_same_band: int
    numbers_suppressed: int  # published numbers withheld by disclosure control
    statements_suppressed: int  # statements whose test disclosure control withholds


def agreement(reproduction: pd.DataFrame) -> Agreement:
    """Counts for the summary line."""
    compared = reproduction["inside_ci"].map(lambda x: isinstance(x, bool))
    published = reproduction["value"].map(lambda v: not math.isnan(to_float(v)))
    return Agreement(
        numbers_inside=int((reproduction.loc[compared, "inside_ci"] == True).sum()),  # noqa: E712
        numbers_compared=int(compared.sum()),
        numbers_published=int(published.sum()),
        statements_agreeing=int(reproduction["statements_agreeing"].sum()),
        statements=int(reproduction["statements_total"].sum()),
        statements_same_band=int(reproduction["statements_same_band"].sum()),
        numbers_suppressed=int((published & reproduction["suppressed"].astype(bool)).sum()),
        statements_suppressed=int(reproduction["statements_suppressed"].sum()),
    )
