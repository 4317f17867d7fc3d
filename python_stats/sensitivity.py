"""How the headline findings move with the study's choices: results/sensitivity.csv.

`blsu sensitivity` (blsu.sensitivity) builds each variant of the study's choices into a
warehouse of its own and hands each warehouse to `findings`, which runs the statistics of
`blsu stats` (python_stats.measures, .comparisons, .tables: nothing is computed another way)
under a disclosure rule and keeps the headline numbers and the significance statements of
published/published_statements.csv. `sensitivity_table` sets every variant beside the main
specification (the warehouse the results belong to):

- `holds_direction`: a number lies on the same side of its reference as the main one (a ratio
  above or below 1, a share above or below the reference group's share); a statement is true
  (or false) of the variant's test as it is of the main one;
- `holds_band`: the significance band of the test behind the number (or statement) is the
  main one's;
- `inside_main_interval`: the variant's number lies inside the main 95% interval.

Disclosure control: a variant's numbers are shown only under a rule at least as strict as the
main run's (a rounding base that is a multiple of the main base, a minimum cell at least the
main one); a variant under a weaker rule (base 1: unrounded counts) is computed, but only its
verdicts `holds_direction` and `holds_band` are written, never a number. The draws of one
family (`draw`, e.g. 20 values of matching_seed) get one summary row per number: the median
draw, the main interval beside it and the spread of the draws (`spread_low`, `spread_high`:
the lowest and highest shown draw). Every number written is a number of a controlled table of
some specification; the summary rows repeat such numbers.

The file sensitivity.json beside it records the warehouse (its record's digest), the rule and
the seed the numbers were made with, and the variants; a statistics run shows the section only
while they are those of its own warehouse and rule (`current`), and drops the files otherwise.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from python_stats.comparisons import all_comparisons, tests_table
from python_stats.disclosure import DisclosureRules
from python_stats.marts import CONTROLS, GROUPS, OFFENDERS, PROFILES, load_marts
from python_stats.measures import REFERENCE_GROUP, all_estimates
from python_stats.reproduction import (
    Reproduced,
    comparison_label,
    read_published,
    reproduced_band,
    statement_holds,
    tested_measure,
)
from python_stats.tables import EXACT_COLUMN, estimates_table

CSV_NAME = "sensitivity.csv"
JSON_NAME = "sensitivity.json"
FIGURE_PREFIX = "sensitivity_"
#: the files a sensitivity run adds to the results (the figures are drawn from them)
FILES = (CSV_NAME, JSON_NAME)
MAIN = "main"
STATEMENT_UNIT = "test"
CRIMINAL_CONTROL = next(c for c in CONTROLS if c != REFERENCE_GROUP)

COLUMNS = (
    "variant", "family", "figure", "measure", "group", "comparison", "unit", "value", "ci_low",
    "ci_high", "n", "n_events", "suppressed", "band", "holds_direction", "holds_band",
    "inside_main_interval", "spread_low", "spread_high", "note",
)
NUMBER_COLUMNS = ("value", "ci_low", "ci_high", "n", "n_events")
VERDICTS = ("holds_direction", "holds_band", "inside_main_interval")


@dataclass(frozen=True)
class Headline:
    """A headline number: a measure of the estimates tables for some groups, read against a
    reference (a ratio against 1, a share against the reference group's share) and backed by
    the test of the group against that reference (tests.csv: `test` measure and population)."""

    figure: str
    measure: str
    groups: tuple[str, ...]
    reference: str
    test: tuple[str, str]

    @property
    def is_ratio(self) -> bool:
        return "_ratio_" in self.measure


HEADLINES: tuple[Headline, ...] = (
    Headline("A1", "lvb_pct", GROUPS, REFERENCE_GROUP, ("has_lvb", "all")),
    Headline("A1", "lvb_ratio_vs_noncriminal", (OFFENDERS, CRIMINAL_CONTROL, *PROFILES),
             REFERENCE_GROUP, ("has_lvb", "all")),
    Headline("A1", "lvb_ratio_vs_criminal", (OFFENDERS,), CRIMINAL_CONTROL, ("has_lvb", "all")),
    Headline("A2", "victim_any_2010_2023", GROUPS, REFERENCE_GROUP, ("is_victim", "all")),
    Headline("A2", "victim_recent_3y_before_first_ht", (OFFENDERS, *PROFILES), OFFENDERS,
             ("recent_victim_3y", "eligible offenders")),
)


def test_groups(headline: Headline, group: str) -> tuple[str, tuple[str, ...]] | None:
    """(family, groups) of the test behind a headline number of `group` (None for the
    reference itself): the pair of the group and its reference, or the test of the four
    profiles when the reference is the offenders they make up."""
    ref = headline.reference
    if group == ref:
        return None
    if group in PROFILES:
        if ref == OFFENDERS:
            return "profiles", PROFILES
        return "profile_vs_controls", (group, ref)
    return "groups", (group, ref)


@dataclass(frozen=True)
class VariantSpec:
    """One variant as `blsu sensitivity` runs it: the vars of its build (over the main build's)
    and the disclosure rule of its statistics (None: the main run's)."""

    name: str
    family: str
    description: str
    vars: dict[str, Any] = field(default_factory=dict)
    round_base: int | None = None
    min_cell: int | None = None
    draw: bool = False  # one of several draws of a family (seeds): summarised together

    def rules(self, main: DisclosureRules) -> DisclosureRules:
        """The variant's disclosure rule: the main one, with its own parameters where it gives
        them."""
        return replace(main,
                       round_base=main.round_base if self.round_base is None else self.round_base,
                       min_cell=main.min_cell if self.min_cell is None else self.min_cell)


def at_least_as_strict(rules: DisclosureRules, main: DisclosureRules) -> bool:
    """True when every number `rules` lets out, `main` lets out too: counts rounded to a
    multiple of the main base, resting on cells of at least the main minimum, and magnitudes
    under dominance and p-ratio rules no looser than the main ones (at least as many largest
    contributions against at most the same share; at least the same p)."""
    return (rules.round_base % main.round_base == 0 and rules.min_cell >= main.min_cell
            and rules.dominance_n >= main.dominance_n and rules.dominance_k <= main.dominance_k
            and rules.p_ratio >= main.p_ratio)


# --- the findings of one warehouse ------------------------------------------------------------

@dataclass(frozen=True)
class Findings:
    """The headline numbers (rows of the controlled tables, with the band of their test and the
    unrounded-but-controlled value) and the statements of one warehouse under one rule."""

    numbers: pd.DataFrame
    statements: pd.DataFrame


def findings(db: Path, rules: DisclosureRules, seed: int) -> Findings:
    """The statistics of `blsu stats` on a warehouse, reduced to the headline findings."""
    marts = load_marts(Path(db))
    table = estimates_table(all_estimates(marts.persons, marts.careers, seed, rules), rules)
    tests = tests_table(all_comparisons(marts.persons, marts.careers, seed, rules), table)
    return findings_of(table, tests)


def findings_of(table: pd.DataFrame, tests: pd.DataFrame) -> Findings:
    """The headline rows of an estimates table and tests.csv, and the published statements'
    bands."""
    found = Reproduced.of(table, tests)
    rows = []
    for headline in HEADLINES:
        for group in headline.groups:
            row = found.estimate(headline.figure, headline.measure, group)
            if row is None:
                continue
            rows.append({**{c: row[c] for c in ("figure", "measure", "group", "unit", "value",
                                                "ci_low", "ci_high", "n", "n_events",
                                                "suppressed", EXACT_COLUMN)},
                         **test_band(headline, group, tests)})
    return Findings(pd.DataFrame(rows), statement_bands(found))


def test_band(headline: Headline, group: str, tests: pd.DataFrame) -> dict[str, str]:
    """The comparison and band of the test behind a headline number ('suppressed' when
    disclosure control withholds it, '' when there is none)."""
    chosen = test_groups(headline, group)
    if chosen is None:
        return {"comparison": "", "band": ""}
    family, groups = chosen
    measure, population = headline.test
    hits = tests[(tests["measure"] == measure) & (tests["population"] == population)
                 & (tests["family"] == family)
                 & tests["groups"].map(lambda g: set(g.split(" vs ")) == set(groups))]
    comparison = " vs ".join(groups) if len(groups) == 2 else "profiles"
    if hits.empty:
        return {"comparison": comparison, "band": ""}
    hit = hits.iloc[0]
    band = "suppressed" if bool(hit["suppressed"]) else str(hit["band"])
    return {"comparison": comparison, "band": band}


def statement_bands(found: Reproduced) -> pd.DataFrame:
    """One row per published significance statement: the published band and the band of the
    warehouse's test behind it."""
    rows = []
    for _, pub in read_published().iterrows():
        target = tested_measure(pub["figure"], pub["measure"])
        for statement in pub["statements"]:
            band = reproduced_band(found, *target, statement.comparison) if target else ""
            rows.append({"figure": pub["figure"], "measure": pub["measure"],
                         "group": pub["group"],
                         "comparison": comparison_label(statement.comparison),
                         "published": statement.band, "band": band})
    return pd.DataFrame(rows, columns=["figure", "measure", "group", "comparison", "published",
                                       "band"])


# --- the comparison with the main specification ------------------------------------------------

KEY = ["figure", "measure", "group"]
STATEMENT_KEY = ["figure", "measure", "group", "comparison"]
ROW_KEY = ["figure", "measure", "group", "unit", "comparison"]  # a number or a statement


def direction(numbers: pd.DataFrame) -> pd.Series:
    """-1, 0 or 1: each shown number against its reference (NaN when it or the reference is
    withheld, or for the reference itself), from the numbers as the table shows them."""
    out = {}
    shown = numbers[~numbers["suppressed"].astype(bool)]
    value = {tuple(k): float(v) for k, v in zip(shown[KEY].itertuples(index=False),
                                                shown["value"], strict=True)}
    for headline in HEADLINES:
        for group in headline.groups:
            key = (headline.figure, headline.measure, group)
            if headline.is_ratio:
                ref = 1.0
            elif group == headline.reference:
                continue
            else:
                ref = value.get((headline.figure, headline.measure, headline.reference),
                                math.nan)
            mine = value.get(key, math.nan)
            if not (math.isnan(mine) or math.isnan(ref)):
                out[key] = float((mine > ref) - (mine < ref))
    index = [tuple(k) for k in numbers[KEY].itertuples(index=False)]
    return pd.Series([out.get(k, math.nan) for k in index], index=numbers.index)


def verdict(same: bool | None) -> object:
    """A verdict as written: True, False or empty (not decidable)."""
    return "" if same is None else bool(same)


def compare_numbers(main: pd.DataFrame, variant: pd.DataFrame) -> pd.DataFrame:
    """The variant's headline rows with the verdicts against the main specification."""
    merged = variant.assign(_sign=direction(variant)).merge(
        main.assign(_sign=direction(main))[[*KEY, "value", "ci_low", "ci_high", "band",
                                            "suppressed", "_sign"]],
        on=KEY, how="left", suffixes=("", "_main"))
    out = []
    for rec in merged.to_dict("records"):
        main_shown = shown_flag(rec["suppressed_main"])
        hidden = bool(rec["suppressed"]) or not main_shown
        signs = (rec["_sign"], rec["_sign_main"])
        bands = (rec["band"], rec["band_main"])
        rec["holds_direction"] = verdict(
            None if hidden or any(math.isnan(s) for s in signs) else signs[0] == signs[1])
        rec["holds_band"] = verdict(
            bands[0] == bands[1] if not hidden and all(tested(b) for b in bands) else None)
        rec["inside_main_interval"] = verdict(
            None if hidden or math.isnan(rec["ci_low_main"]) or math.isnan(rec["value"])
            else rec["ci_low_main"] <= rec["value"] <= rec["ci_high_main"])
        rec["note"] = ("suppressed in the main specification" if not main_shown
                       else "suppressed" if bool(rec["suppressed"]) else "")
        out.append(rec)
    return pd.DataFrame(out)


def shown_flag(suppressed: object) -> bool:
    """True when a `suppressed` cell says the row is shown (False); a missing row is not."""
    return isinstance(suppressed, bool | np.bool_) and not suppressed


def tested(band: object) -> bool:
    """True for the band of a test that was run and shown."""
    return isinstance(band, str) and band not in ("", "suppressed")


def compare_statements(main: pd.DataFrame, variant: pd.DataFrame) -> pd.DataFrame:
    """The variant's statement rows with the verdicts against the main specification."""
    merged = variant.merge(main[[*STATEMENT_KEY, "band"]], on=STATEMENT_KEY, how="left",
                           suffixes=("", "_main"))
    out = []
    for rec in merged.to_dict("records"):
        bands = (rec["band"], rec["band_main"])
        known = all(tested(b) for b in bands)
        rec["holds_direction"] = verdict(
            statement_holds(rec["published"], bands[0])
            == statement_holds(rec["published"], bands[1]) if known else None)
        rec["holds_band"] = verdict(bands[0] == bands[1] if known else None)
        rec["inside_main_interval"] = ""
        rec["unit"] = STATEMENT_UNIT
        rec["suppressed"] = "suppressed" in bands
        rec["note"] = f"published: {rec['published']}"
        out.append(rec)
    return pd.DataFrame(out)


# --- the table ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """A variant that ran (its findings) or failed (the reason, in words without numbers)."""

    spec: VariantSpec
    found: Findings | None = None
    failure: str = ""
    seconds: float = 0.0
    detail: str = ""  # the last lines of dbt's error, for the terminal only
    model_seconds: float = 0.0  # of which the trajectory model (dbt's run_results.json)


VERDICT_ONLY_NOTE = ("computed under a weaker disclosure rule (round base {base}, minimum cell "
                     "{min_cell}): only whether the findings hold is shown, no number")


def variant_rows(outcome: Outcome, main: Findings, main_rules: DisclosureRules
                 ) -> pd.DataFrame:
    """The rows of one variant: its numbers and statements with their verdicts, numbers blanked
    where its rule is weaker than the main one; one row when it failed."""
    spec = outcome.spec
    if outcome.found is None:
        return pd.DataFrame([{"variant": spec.name, "family": spec.family,
                              "note": f"failed: {outcome.failure}"}])
    frame = pd.concat([compare_numbers(main.numbers, outcome.found.numbers),
                       compare_statements(main.statements, outcome.found.statements)],
                      ignore_index=True)
    frame = frame.assign(variant=spec.name, family=spec.family)
    rules = spec.rules(main_rules)
    if not at_least_as_strict(rules, main_rules):
        for column in (*NUMBER_COLUMNS, "band", "inside_main_interval"):
            frame[column] = math.nan if column in NUMBER_COLUMNS else ""
        frame["suppressed"] = True
        frame["note"] = VERDICT_ONLY_NOTE.format(base=rules.round_base,
                                                 min_cell=rules.min_cell)
    return frame


def main_rows(main: Findings) -> pd.DataFrame:
    """The main specification's rows (their verdicts are empty: it is the reference)."""
    statements = main.statements.assign(
        unit=STATEMENT_UNIT, suppressed=main.statements["band"] == "suppressed",
        note="published: " + main.statements["published"])
    return pd.concat([main.numbers.assign(note=""), statements], ignore_index=True).assign(
        variant=MAIN, family=MAIN)


def draw_summary(frame: pd.DataFrame, family: str, n_draws: int) -> pd.DataFrame:
    """One row per number and statement of a family of draws: the median shown draw, the main
    interval beside it, the spread of the shown draws, and whether every draw holds."""
    draws = frame[frame["family"] == family]
    main = frame[frame["variant"] == MAIN].set_index(ROW_KEY)
    out = []
    for key, rows in draws[draws["measure"].notna()].groupby(ROW_KEY, sort=False):
        rec: dict[str, object] = dict(zip(ROW_KEY, key, strict=True))
        statement = rows["unit"].iloc[0] == STATEMENT_UNIT
        rec.update(variant=family, family=family, unit=rows["unit"].iloc[0],
                   suppressed=bool(rows["suppressed"].astype(bool).all()) if statement else True)
        shown = sorted(float(v) for v in rows["value"] if not _missing(v))
        parts = [f"{len(rows)} of {n_draws} draws"]
        if shown and key in main.index and not bool(main.loc[key, "suppressed"]):
            rec.update(value=shown[(len(shown) - 1) // 2], ci_low=main.loc[key, "ci_low"],
                       ci_high=main.loc[key, "ci_high"], spread_low=shown[0],
                       spread_high=shown[-1], suppressed=False)
            parts.append(f"{len(shown)} shown; value: the median draw, interval: the main "
                         "specification's, spread: the lowest and highest draw")
        for column in VERDICTS:
            decided = [v for v in rows[column] if isinstance(v, bool)]
            held = sum(decided)
            rec[column] = verdict(held == len(decided) if decided else None)
            if decided and column != "inside_main_interval":
                parts.append(f"{column.removeprefix('holds_')} held in {held} of "
                             f"{len(decided)}")
        rec["note"] = "; ".join(parts)
        out.append(rec)
    return pd.DataFrame(out)


def _missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def sensitivity_table(main: Findings, outcomes: list[Outcome], main_rules: DisclosureRules
                      ) -> pd.DataFrame:
    """results/sensitivity.csv: the main specification, every variant, and a summary row per
    number of each family of draws."""
    frame = pd.concat([main_rows(main), *(variant_rows(o, main, main_rules) for o in outcomes)],
                      ignore_index=True)
    draws = {o.spec.family: 0 for o in outcomes if o.spec.draw}
    for o in outcomes:
        if o.spec.draw:
            draws[o.spec.family] += 1
    summaries = [draw_summary(frame, family, n) for family, n in draws.items()]
    frame = pd.concat([frame, *summaries], ignore_index=True)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = math.nan if column in (*NUMBER_COLUMNS, "spread_low",
                                                   "spread_high") else ""
    return frame[list(COLUMNS)].fillna({c: "" for c in ("comparison", "band", "note",
                                                        "figure", "measure", "group",
                                                        "unit", *VERDICTS)})


# --- the record of a run and its currency ------------------------------------------------------

@dataclass(frozen=True)
class Stamp:
    """What the numbers of a sensitivity run belong to: the warehouse (its record's digest), the
    rule and the seed of the statistics."""

    warehouse_digest: str
    round_base: int
    min_cell: int
    seed: int


def write_json(folder: Path, stamp: Stamp, outcomes: list[Outcome], declared: int,
               selected: list[str] | None) -> Path:
    """sensitivity.json: the stamp, the variants run (what each changes, and whether it
    failed) and how many the variants file declares."""
    variants = [{**asdict(o.spec), "status": "failed" if o.found is None else "ok",
                 **({"failure": o.failure} if o.found is None else {})} for o in outcomes]
    payload = {**asdict(stamp), "variants": variants, "declared": declared,
               "only": selected, "complete": all(o.found is not None for o in outcomes)}
    path = Path(folder) / JSON_NAME
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Sensitivity:
    """A current sensitivity run beside a results folder: its table and its record."""

    table: pd.DataFrame
    record: dict[str, Any]

    @property
    def variants(self) -> list[dict[str, Any]]:
        return list(self.record.get("variants", []))


def current(folder: Path, stamp: Stamp | None) -> Sensitivity | None:
    """The sensitivity files of a results folder when they belong to `stamp` (the warehouse,
    rule and seed of the statistics being written); otherwise they are removed, so that no
    result of another build is ever shown as current."""
    folder = Path(folder)
    paths = [folder / name for name in FILES]
    if not any(p.exists() for p in paths):
        return None
    try:
        record = json.loads(paths[1].read_text(encoding="utf-8"))
        table = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
        belongs = stamp is not None and all(
            str(record.get(k)) == str(v) for k, v in asdict(stamp).items())
    except (OSError, ValueError):
        belongs = False
    if not belongs or not record.get("complete", False):
        for path in paths:
            path.unlink(missing_ok=True)
        return None
    return Sensitivity(table, record)


def carry_over(source: Path, target: Path) -> None:
    """Copy the sensitivity files of a results folder into the folder a statistics run writes
    (which keeps them only when they are current)."""
    for name in FILES:
        if (Path(source) / name).is_file():
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(source) / name, Path(target) / name)


def names(outcomes: Iterable[Outcome]) -> list[str]:
    return [o.spec.name for o in outcomes]
