"""Output checking: every number in a folder of CSV tables against the disclosure rule.

`blsu check-output DIR` (and every statistics run, which writes `output_check.csv`) reads each
CSV file of a folder and gives every cell that holds or withholds a number a verdict: `shown`
with the rule that lets it out, `suppressed` with the rule that withholds it, or `finding` with
the rule it breaks. It knows the layouts the statistics write (tables of estimates, tests.csv,
balance.csv, reproduction.csv, dq_findings.csv) and, for hand-made tables, the conventions of
docs/disclosure.md: counts in columns named `n`, `n_*` or `*_n`, shares in `*_pct` (0-100) or
`*_share` (0-1) beside their denominator `n`. Any other number is a finding: an output checker
cannot pass what it cannot check. The rule itself and its parameters are python_stats.disclosure,
the rounding python_stats.rounding (the reference arithmetic rounds exactly as the tables do).

Magnitudes (means, sums, rates over persons' values) pass only the magnitude rules, which need
the persons' values: given the warehouse (`--warehouse`, default `$BLSU_DB` when that file
exists), every magnitude number of a recognised layout is recomputed from the person-level marts
(python_stats.magnitudes, the functions the statistics use) with its verdict; without one it is
`unverified`, which fails the check like a finding.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from blsu_core.command import Command
from python_stats.disclosure import (
    COUNT_PATTERN,
    EXTREME_PATTERN,
    PERSON_KEY_PATTERN,
    DisclosureRules,
    MagnitudeVerdict,
)
from python_stats.magnitudes import (
    BALANCE_CONTINUOUS,
    TABLE_MAGNITUDES,
    WHOLE_PARTITIONS,
    PersonData,
    balance_values,
    case_shares,
    mean_of,
    squared_deviations,
    table_values,
)
from python_stats.marts import OFFENDERS, PROFILES
from python_stats.rounding import half_up_decimal, share

REPORT_NAME = "output_check.csv"
SHARE_PATTERN = re.compile(r"(^|_)(pct|share)($|_)", re.IGNORECASE)
ESTIMATE_COLUMNS = {"figure", "measure", "group", "unit", "value", "n", "n_events", "suppressed"}
TEST_COLUMNS = {"measure", "population", "groups", "statistic", "p_value", "effect_size"}
BALANCE_COLUMNS = {"covariate", "type", "mean_blsu", "mean_control", "n_blsu", "n_control"}
REPRODUCTION_COLUMNS = {"figure", "measure", "group", "value", "reproduced", "suppressed"}
DQ_COLUMNS = {"dataset", "finding", "n_records"}
SELECTION_COLUMNS = {"k", "parameters", "loglik", "bic_nagin", "bic_person_ages",
                     "lowest_avepp", "lowest_occ", "smallest_share_pct", "starts",
                     "distinct_optima"}
GROUP_COLUMNS = {"k", "group", "n_assigned", "n_total", "assigned_share_pct", "share_pct",
                 "share_se_pct", "avepp", "occ", "peak_age", "expected_cases_at_peak"}
CURVE_COLUMNS = {"group", "age", "expected", "lower", "upper", "observed_mean", "n_observed"}
BAND_COLUMNS = ("band_from", "band_to")
CROSS_COLUMNS = {"stated_profile", "estimated_profile", "n"}
AGREEMENT_COLUMNS = {"statistic", "value", "ci_low", "ci_high"}
AGREEMENT_DECIMALS = {"cohens_kappa": 2, "adjusted_rand_index": 2, "percent_agreement": 0,
                      "cohens_kappa_range": 2}
#: Kappa as shown (2 decimals) against its recomputation from the shown numbers.
KAPPA_TOLERANCE = 0.005 + 1e-9
#: Agreement statistics that need only the cross table's diagonal and its margins.
DIAGONAL_STATISTICS = ("cohens_kappa", "percent_agreement", "cohens_kappa_range")
PCT_DECIMALS = 1
RATIO_DECIMALS = 2
SHARE_DECIMALS = 4
MEAN_UNITS = ("years", "cases", "count")
TEST_DIGITS = {"statistic": 3, "p_value": 2, "p_holm": 2, "p_se": 2}
TEST_DECIMALS = {"effect_size": 2, "df": 1, "df2": 1}
STATEMENT_COUNTS = ("statements_total", "statements_agreeing", "statements_same_band",
                    "statements_suppressed")


@dataclass(frozen=True)
class Verdict:
    """One cell of one exported file and the rule that decided it."""

    file: str
    row: int  # 1-based data row; 0 for a verdict on a whole column
    column: str
    value: str
    status: str  # 'shown', 'suppressed', 'finding' or 'unverified'
    rule: str


class Checker:
    """The verdicts on the files of one folder."""

    def __init__(self, rules: DisclosureRules, person_data: PersonData | None = None) -> None:
        self.rules = rules
        self.data = person_data  # the person-level marts behind the magnitudes
        self.case_shares: dict[str, object] | None = None  # recomputed once per check
        self.verdicts: list[Verdict] = []
        self.shown_rows: set[tuple[str, str, str]] = set()
        self.table_rows: set[tuple[str, str, str]] = set()
        self.cross_withheld: bool | None = None  # a cell of the profile cross table withheld
        self.cross_cells: list[list[float]] | None = None  # its cells, NaN where withheld
        self.profile_sizes: dict[str, float] = {}  # stated profiles' sizes (table_profiles)
        self.assigned: dict[str, float] = {}  # persons assigned per estimated profile
        self.assigned_total: float | None = None

    # -- helpers --------------------------------------------------------------------------

    def add(self, file: str, row: int, column: str, value: str, status: str, rule: str) -> None:
        self.verdicts.append(Verdict(file, row, column, value, status, rule))

    def count(self, file: str, row: int, column: str, text: str) -> None:
        """A count of persons: empty (suppressed), or a multiple of the base >= min_cell."""
        r = self.rules
        if text == "":
            self.add(file, row, column, text, "suppressed", "count withheld")
            return
        value = number(text)
        if value is None or value % r.round_base or value < r.min_cell:
            self.add(file, row, column, text, "finding",
                     f"a count must be a multiple of {r.round_base} and at least {r.min_cell}")
        else:
            self.add(file, row, column, text, "shown",
                     f"count rounded to {r.round_base}, at least {r.min_cell}")

    def decimals(self, file: str, row: int, column: str, text: str, places: int,
                 rule: str) -> None:
        """A number shown with at most `places` decimals."""
        if text == "":
            self.add(file, row, column, text, "suppressed", "withheld with its cells")
        elif number(text) is None:
            self.add(file, row, column, text, "finding", "not a number")
        elif decimal_places(text) > places:
            self.add(file, row, column, text, "finding",
                     f"{rule}: at most {places} decimals")
        else:
            self.add(file, row, column, text, "shown", rule)

    def share(self, file: str, row: int, column: str, text: str, n_text: str, scale: float,
              places: int, events: str | None = None) -> None:
        """A share beside its rounded denominator: it must be the share of a rounded count."""
        if text == "":
            self.add(file, row, column, text, "suppressed", "share withheld with its cells")
            return
        value, n = number(text), number(n_text)
        if value is None or n is None or n <= 0:
            self.add(file, row, column, text, "finding", "a share needs its rounded n beside it")
            return
        base = self.rules.round_base
        candidates = [number(events)] if events else [m * base for m in range(int(n // base) + 1)]
        shown = Decimal(text)
        ok = float(n).is_integer() and any(
            c is not None and float(c).is_integer()
            and half_up_decimal(share(int(c), int(n), int(scale)), places) == shown
            for c in candidates)
        if decimal_places(text) > places or not ok:
            self.add(file, row, column, text, "finding",
                     "a share must be computed from the rounded counts shown "
                     f"(at most {places} decimals)")
        else:
            self.add(file, row, column, text, "shown", "share of rounded counts")

    def columns(self, file: str, frame: pd.DataFrame) -> None:
        """Column-level rules: no person or linking keys, no minima or maxima."""
        for column in frame.columns:
            if PERSON_KEY_PATTERN.search(column):
                self.add(file, 0, column, "", "finding", "person or linking key")
            elif EXTREME_PATTERN.search(column):
                self.add(file, 0, column, "", "finding", "minimum or maximum")

    # -- layouts --------------------------------------------------------------------------

    def estimates(self, file: str, frame: pd.DataFrame) -> None:
        """A table of estimates (table_*.csv)."""
        r = self.rules
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            start = len(self.verdicts)
            self.estimate_row(file, i, rec, r)
            if (rec.get("figure"), rec.get("measure")) == ("profiles", "share") and \
                    number(rec.get("n_events", "")) is not None:
                self.profile_sizes[rec["group"]] = float(number(rec["n_events"]))
            if rec["suppressed"].lower() != "true":  # an empty cell of a shown row: no number
                self.verdicts[start:] = [v for v in self.verdicts[start:]
                                         if v.value != "" or v.status == "finding"]
        self.differencing(file, frame)

    def estimate_row(self, file: str, i: int, rec: dict[str, str], r: DisclosureRules) -> None:
        """One row of a table of estimates."""
        key = (rec["figure"], rec["measure"], rec["group"])
        self.table_rows.add(key)
        unit = rec["unit"]
        withheld = rec["suppressed"].lower() == "true"
        self.count(file, i, "n", rec["n"])
        self.count(file, i, "n_events", rec["n_events"])
        if unit.startswith("pct") or unit == "persons":
            self.complement(file, i, rec["n"], rec["n_events"])
        if withheld and any(rec[c] != "" for c in ("value", "ci_low", "ci_high",
                                                     "n_events")):
            self.add(file, i, "value", rec["value"], "finding",
                     "a suppressed row shows a number")
            return
        if not withheld:
            self.shown_rows.add(key)
        if (rec["figure"], rec["measure"]) in TABLE_MAGNITUDES:
            self.table_magnitude(file, i, rec, places_of(unit, r))
        elif unit.startswith("pct"):
            self.share(file, i, "value", rec["value"], rec["n"], 100.0, PCT_DECIMALS,
                       rec["n_events"] or None)
        elif unit == "persons":
            self.count(file, i, "value", rec["value"])
        else:
            self.decimals(file, i, "value", rec["value"], places_of(unit, r), rule_of(unit))
        for bound in ("ci_low", "ci_high"):
            if unit == "persons":
                self.count_bound(file, i, bound, rec[bound])
            else:
                self.decimals(file, i, bound, rec[bound], places_of(unit, r),
                              "interval from the shown estimate's cells")

    def magnitude(self, file: str, row: int, column: str, text: str, places: int,
                  recompute: Callable[[], tuple[MagnitudeVerdict, object]] | None) -> None:
        """A magnitude: with the persons' values (`recompute` gives the verdict of the rule on
        them and the unrounded value), shown only when the rule lets it out and only as that
        value rounded once; without them it cannot be verified."""
        if recompute is None:
            status = "suppressed" if text == "" else "unverified"
            self.add(file, row, column, text, status, "withheld" if text == "" else
                     "a magnitude: its dominance and p-ratio rules need the persons' values "
                     "(check with --warehouse)")
            return
        verdict, value = recompute()
        if text == "":
            self.add(file, row, column, text, "suppressed", verdict.rule if not verdict.passes
                     else "withheld (beside a withheld part of the same total)")
        elif number(text) is None or decimal_places(text) > places:
            self.add(file, row, column, text, "finding", f"a magnitude has at most {places} "
                     "decimals")
        elif not verdict.passes:
            self.add(file, row, column, text, "finding", f"shown, but {verdict.rule}")
        elif half_up_decimal(value, places) != Decimal(text):
            self.add(file, row, column, text, "finding", "not the value of the persons' data "
                     f"rounded once (expected {half_up_decimal(value, places)})")
        else:
            self.add(file, row, column, text, "shown", verdict.rule)

    def table_magnitude(self, file: str, row: int, rec: dict[str, str], places: int) -> None:
        """A mean or a share of a sum in a table of estimates."""
        figure, measure, group = rec["figure"], rec["measure"], rec["group"]
        data = self.data

        def recompute() -> tuple[MagnitudeVerdict, object]:
            values = table_values(data.persons, data.careers, figure, measure, group)
            verdict = self.rules.magnitude(values, TABLE_MAGNITUDES[(figure, measure)].what)
            if measure == "share_of_all_cases":
                if self.case_shares is None:
                    self.case_shares = case_shares(data.careers, self.rules)
                return verdict, self.case_shares.get(group)
            return verdict, mean_of(values)

        self.magnitude(file, row, "value", rec["value"], places,
                       recompute if data is not None else None)

    def complement(self, file: str, row: int, n_text: str, k_text: str) -> None:
        """n - k (shown rounded) must be consistent with a complement of at least min_cell."""
        n, k = number(n_text), number(k_text)
        if n is None or k is None:
            return
        slack = 2 * (self.rules.round_base // 2)
        if n - k < self.rules.min_cell - slack:
            self.add(file, row, "n_events", k_text, "finding",
                     f"complement n - k below {self.rules.min_cell}")

    def count_bound(self, file: str, row: int, column: str, text: str) -> None:
        """An interval bound of a count: a multiple of the base (it may be small)."""
        value = number(text)
        if text == "":
            self.add(file, row, column, text, "suppressed", "withheld with its cells")
        elif value is None or value % self.rules.round_base:
            self.add(file, row, column, text, "finding",
                     f"an interval of a count is a multiple of {self.rules.round_base}")
        else:
            self.add(file, row, column, text, "shown", "interval bound rounded outwards")

    def differencing(self, file: str, frame: pd.DataFrame) -> None:
        """The offenders' total and the profiles: never exactly one profile withheld (nor one
        profile of a measure whose profiles add up to 100%)."""
        for (figure, measure), rows in frame.groupby(["figure", "measure"], sort=False):
            by_group = {g: rec for g, rec in zip(rows["group"], rows.to_dict("records"),
                                                 strict=True)}
            if (figure, measure) in WHOLE_PARTITIONS and all(p in by_group for p in PROFILES):
                hidden = [p for p in PROFILES if by_group[p]["value"] == ""]
                if len(hidden) == 1:
                    self.add(file, int(rows.index[0]) + 1, "value", "", "finding",
                             f"{figure} {measure}: 100% minus the shown profiles reveals "
                             f"{hidden[0]}")
            if OFFENDERS not in by_group or not all(p in by_group for p in PROFILES):
                continue
            for column in ("n", "n_events"):
                if by_group[OFFENDERS][column] == "":
                    continue
                hidden = [p for p in PROFILES if by_group[p][column] == ""]
                if len(hidden) == 1:
                    self.add(file, int(rows.index[0]) + 1, column, "", "finding",
                             f"{figure} {measure}: the offenders' {column} minus the shown "
                             f"profiles reveals {hidden[0]}")

    def tests(self, file: str, frame: pd.DataFrame) -> None:
        """tests.csv: numbers only for tests whose groups the tables show, rounded once."""
        from python_stats.comparisons import TABLE_ROWS

        for i, rec in enumerate(frame.to_dict("records"), start=1):
            target = TABLE_ROWS.get((rec["measure"], rec["population"]))
            groups = rec["groups"].split(" vs ")
            rests_on_shown = target is not None and all(
                (*target, g) in self.shown_rows for g in groups)
            if rec.get("suppressed", "").lower() == "true":
                for column in ("p_value", "effect_size", "n"):
                    self.add(file, i, column, rec[column], "suppressed" if rec[column] == ""
                             else "finding", "test withheld: it rests on a suppressed group")
                continue
            if rec["n"] != "":
                self.count(file, i, "n", rec["n"])
            for column in (*TEST_DIGITS, *TEST_DECIMALS):
                text = rec.get(column, "")
                if text == "":
                    continue
                if not rests_on_shown:
                    self.add(file, i, column, text, "finding",
                             "a test of a group the tables suppress")
                elif column in TEST_DIGITS and significant_digits(text) > TEST_DIGITS[column]:
                    self.add(file, i, column, text, "finding",
                             f"at most {TEST_DIGITS[column]} significant digits")
                elif column in TEST_DECIMALS and decimal_places(text) > TEST_DECIMALS[column]:
                    self.add(file, i, column, text, "finding",
                             f"at most {TEST_DECIMALS[column]} decimals")
                else:
                    self.add(file, i, column, text, "shown",
                             "test of shown groups (share tests on the rounded counts)")

    def balance(self, file: str, frame: pd.DataFrame) -> None:
        """balance.csv: binary shares of rounded counts, means with the rule's decimals."""
        hidden_levels: dict[str, list[str]] = {}
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            self.count(file, i, "n_blsu", rec["n_blsu"])
            self.count(file, i, "n_control", rec["n_control"])
            if rec["covariate"].startswith("migration_generation_") and rec["mean_blsu"] == "":
                hidden_levels.setdefault(rec["control_group"], []).append(rec["covariate"])
            for side in ("blsu", "control"):
                column = f"mean_{side}"
                if rec["type"] == "binary":
                    self.share(file, i, column, rec[column], rec[f"n_{side}"], 1.0,
                               SHARE_DECIMALS)
                else:
                    self.balance_mean(file, i, rec, side)
            places = SHARE_DECIMALS if rec["type"] == "binary" else 2
            if rec["type"] == "binary":
                self.decimals(file, i, "smd", rec["smd"], places, "difference of shown numbers")
            else:
                for column in ("smd", "variance_ratio"):
                    self.balance_spread(file, i, rec, column)
        for group, levels in hidden_levels.items():
            if len(levels) == 1:
                self.add(file, 0, "mean_blsu", "", "finding",
                         f"{group}: the levels of migration generation add up to the group; "
                         f"{levels[0]} alone is withheld")

    def balance_values(self, rec: dict[str, str]) -> tuple[np.ndarray, np.ndarray] | None:
        """The offenders' and the control group's values of a continuous covariate."""
        if self.data is None or rec["covariate"] not in BALANCE_CONTINUOUS:
            return None
        return (balance_values(self.data.persons, rec["covariate"], OFFENDERS),
                balance_values(self.data.persons, rec["covariate"], rec["control_group"]))

    def balance_mean(self, file: str, row: int, rec: dict[str, str], side: str) -> None:
        """A continuous covariate's mean: the magnitude rule on the persons' values."""
        found = self.balance_values(rec)
        label = "offenders" if side == "blsu" else "controls"

        def recompute() -> tuple[MagnitudeVerdict, object]:
            values = found[0] if side == "blsu" else found[1]
            return self.rules.magnitude(values, f"mean of the {label}"), mean_of(values)

        self.magnitude(file, row, f"mean_{side}", rec[f"mean_{side}"],
                       self.rules.mean_decimals, recompute if found is not None else None)

    def balance_spread(self, file: str, row: int, rec: dict[str, str], column: str) -> None:
        """The SMD and the variance ratio: shown only when both groups' values and squared
        deviations pass the magnitude rule (the rounded value is not recomputed: it is a
        statistic of shown means and of variances that pass)."""
        text = rec[column]
        found = self.balance_values(rec)
        if found is None:
            self.magnitude(file, row, column, text, 2, None)
            return
        failed = [v for values, side in ((found[0], "offenders"), (found[1], "controls"))
                  for v in (self.rules.magnitude(values, f"mean of the {side}"),
                            self.rules.magnitude(squared_deviations(values),
                                                 f"variance of the {side}"))
                  if not v.passes]
        if text == "":
            self.add(file, row, column, text, "suppressed",
                     failed[0].rule if failed else "withheld with its cells")
        elif failed:
            self.add(file, row, column, text, "finding", f"shown, but {failed[0].rule}")
        else:
            self.decimals(file, row, column, text, 2, "statistic of means and variances of >= "
                          f"{self.rules.min_cell} persons, {self.rules.magnitude_rule} pass")

    def reproduction(self, file: str, frame: pd.DataFrame) -> None:
        """reproduction.csv: reproduced numbers only of rows the tables show."""
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            key = (rec["figure"], rec["measure"], rec["group"])
            self.add(file, i, "value", rec["value"], "shown", "published number (public)")
            if rec["reproduced"] == "":
                if rec["suppressed"].lower() == "true":
                    self.add(file, i, "reproduced", "", "suppressed",
                             "withheld by disclosure control")
            elif key in self.table_rows and key not in self.shown_rows:
                self.add(file, i, "reproduced", rec["reproduced"], "finding",
                         "the reproduced number of a suppressed table row")
            else:
                self.add(file, i, "reproduced", rec["reproduced"], "shown",
                         "the table's estimate rounded once to the report's precision")
            for bound in ("ci_low", "ci_high"):
                if rec[bound] != "" and key not in self.shown_rows:
                    self.add(file, i, bound, rec[bound], "finding",
                             "the interval of a suppressed table row")
                elif rec[bound] != "":
                    self.add(file, i, bound, rec[bound], "shown", "the table's interval")
            for column in STATEMENT_COUNTS:
                if column in rec:
                    self.add(file, i, column, rec[column], "shown",
                             "a count of published statements, not of persons")

    def dq(self, file: str, frame: pd.DataFrame) -> None:
        """dq_findings.csv: record counts zero, or rounded and at least the minimum."""
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            if rec["n_records"] in ("0", "0.0"):
                self.add(file, i, "n_records", rec["n_records"], "shown",
                         "zero records describe no one")
            else:
                self.count(file, i, "n_records", rec["n_records"])

    def selection(self, file: str, frame: pd.DataFrame) -> None:
        """trajectory_model_selection.csv: model statistics of all persons, settings, and group
        diagnostics (shown only for models whose groups all pass the minimum cell)."""
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            for column in ("k", "parameters", "starts", "distinct_optima"):
                self.decimals(file, i, column, rec[column], 0,
                              "model setting, not a count of persons")
            for column in ("loglik", "bic_nagin", "bic_person_ages"):
                self.decimals(file, i, column, rec[column], 1, "model statistic of all persons")
            for column, places in (("lowest_avepp", 2), ("lowest_occ", 1),
                                   ("smallest_share_pct", PCT_DECIMALS)):
                self.decimals(file, i, column, rec[column], places,
                              "group diagnostic of groups of at least the minimum cell")

    def groups(self, file: str, frame: pd.DataFrame) -> None:
        """trajectory_groups.csv: a group's numbers only beside its shown (rounded) size; never
        exactly one group withheld (the groups add up to the total shown)."""
        records = frame.to_dict("records")
        for i, rec in enumerate(records, start=1):
            self.decimals(file, i, "k", rec["k"], 0, "model setting, not a count of persons")
            self.decimals(file, i, "group", rec["group"], 0, "group number (label)")
            self.count(file, i, "n_total", rec["n_total"])
            self.count(file, i, "n_assigned", rec["n_assigned"])
            if number(rec["n_assigned"]) is not None and number(rec["n_total"]) is not None:
                self.assigned[rec["profile"]] = (self.assigned.get(rec["profile"], 0.0)
                                                 + float(number(rec["n_assigned"])))
                self.assigned_total = float(number(rec["n_total"]))
            numbers = ("assigned_share_pct", "share_pct", "share_se_pct", "avepp", "occ",
                       "peak_age", "expected_cases_at_peak")
            if rec["n_assigned"] == "":
                for column in numbers:
                    if rec[column] != "":
                        self.add(file, i, column, rec[column], "finding",
                                 "a number of a withheld group")
                continue
            self.share(file, i, "assigned_share_pct", rec["assigned_share_pct"],
                       rec["n_total"], 100.0, PCT_DECIMALS, rec["n_assigned"])
            for column, places in (("share_pct", PCT_DECIMALS), ("share_se_pct", PCT_DECIMALS),
                                   ("peak_age", 0), ("expected_cases_at_peak", 2)):
                if rec[column] != "":
                    self.decimals(file, i, column, rec[column], places,
                                  "model estimate of a group of at least the minimum cell")
            for column, places in (("avepp", 2), ("occ", 1)):
                self.avepp(file, i, column, rec[column], places, rec["group"])
        if sum(rec["n_assigned"] == "" for rec in records) == 1 and records[0]["n_total"]:
            self.add(file, 0, "n_assigned", "", "finding",
                     "the total minus the shown groups reveals the one withheld group")

    def avepp(self, file: str, row: int, column: str, text: str, places: int,
              group: str) -> None:
        """AvePP (and OCC, computed from it): a mean of the group's persons' posterior
        probabilities, so the magnitude rule applies to them (the value itself is the model's,
        not recomputed)."""
        from python_stats.trajectories import avepp_verdict

        ages = self.data.person_ages if self.data is not None else None
        verdict = avepp_verdict(ages, int(float(group)), self.rules)
        if verdict is None:
            self.magnitude(file, row, column, text, places, None)
        elif text == "":
            self.add(file, row, column, text, "suppressed",
                     verdict.rule if not verdict.passes else "withheld with its group")
        elif not verdict.passes:
            self.add(file, row, column, text, "finding", f"shown, but {verdict.rule}")
        else:
            self.decimals(file, row, column, text, places, verdict.rule)

    def curves(self, file: str, frame: pd.DataFrame) -> None:
        """table_trajectories.csv: the curve only beside a shown number of persons observed at
        that age; the observed mean of a band of ages only when the band's persons pass the
        magnitude rules (recomputed from fct_trajectory_person_ages)."""
        bands: dict[tuple[str, str, str], list[int]] = {}
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            self.decimals(file, i, "group", rec["group"], 0, "group number (label)")
            self.decimals(file, i, "age", rec["age"], 0, "age in years (label)")
            self.count(file, i, "n_observed", rec["n_observed"])
            for column in BAND_COLUMNS:
                if rec.get(column, "") != "":
                    self.decimals(file, i, column, rec[column], 0, "age in years (label)")
            for column in ("expected", "lower", "upper"):
                if rec["n_observed"] == "" and rec[column] != "":
                    self.add(file, i, column, rec[column], "finding",
                             "a number of an age with fewer than the minimum cell observed")
                elif rec[column] != "":
                    self.decimals(file, i, column, rec[column], 2,
                                  "model curve where the minimum cell is observed")
            if rec.get("observed_mean", "") == "":
                self.add(file, i, "observed_mean", "", "suppressed",
                         "withheld: no band of ages around it passes")
                continue
            band = (rec["group"], rec.get("band_from", ""), rec.get("band_to", ""))
            first, last, age = (number(band[1]), number(band[2]), number(rec["age"]))
            if first is None or last is None or age is None or not first <= age <= last:
                self.add(file, i, "observed_mean", rec["observed_mean"], "finding",
                         "an observed mean without the band of ages it is the mean of")
                continue
            bands.setdefault(band, []).append(i)
        for (group, first, last), rows in bands.items():
            self.band(file, rows, frame, int(float(group)), int(float(first)),
                      int(float(last)))

    def band(self, file: str, rows: list[int], frame: pd.DataFrame, group: int, first: int,
             last: int) -> None:
        """One band's observed mean, on each of its rows: the same number, the band's mean of
        the persons' cases per person-year rounded once, and the band passing the rule."""
        from python_stats.trajectories import band_verdict

        texts = {frame.iloc[i - 1]["observed_mean"] for i in rows}
        ages = self.data.group_ages(group) if self.data is not None else None

        def recompute() -> tuple[MagnitudeVerdict, object]:
            band = ages.band(first, last)
            return band_verdict(band, self.rules), band.mean

        for i in rows:
            text = frame.iloc[i - 1]["observed_mean"]
            if len(texts) > 1:
                self.add(file, i, "observed_mean", text, "finding",
                         "the ages of one band show different observed means")
            else:
                self.magnitude(file, i, "observed_mean", text, self.rules.mean_decimals,
                               recompute if ages is not None else None)

    def cross(self, file: str, frame: pd.DataFrame) -> None:
        """trajectory_agreement_table.csv: rounded counts of at least the minimum (a zero is
        disclosive: it states that no one of a stated profile has an estimated profile);
        never exactly one withheld cell in a row or column (they add up to shown totals)."""
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            if rec["n"] in ("0", "0.0"):
                self.add(file, i, "n", rec["n"], "finding",
                         "a zero cell of the cross table is disclosive (no one of the stated "
                         "profile has that estimated profile)")
            else:
                self.count(file, i, "n", rec["n"])
        self.cross_withheld = bool((frame["n"] == "").any())
        cell = {(r["stated_profile"], r["estimated_profile"]): number(r["n"])
                for r in frame.to_dict("records")}
        self.cross_cells = [[math.nan if cell.get((a, b)) is None else float(cell[(a, b)])
                             for b in PROFILES] for a in PROFILES]
        for key in ("stated_profile", "estimated_profile"):
            for value, rows in frame.groupby(key):
                if (rows["n"] == "").sum() == 1:
                    self.add(file, int(rows.index[0]) + 1, "n", "", "finding",
                             f"{key} {value}: the only withheld cell of its line")

    def agreement(self, file: str, frame: pd.DataFrame) -> None:
        """trajectory_agreement.csv: statistics of shown numbers only. With every cell of the
        cross table shown, all of them; with a cell withheld, kappa (or its range) and the
        percent agreement, which need only the diagonal (shown, or bounded by the shown cells
        of its row and column) and the rounded margins, never the adjusted Rand index (it
        needs every cell)."""
        expected = self.kappa_of_shown_numbers()
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            places = AGREEMENT_DECIMALS.get(rec["statistic"], 2)
            from_diagonal = (rec["statistic"] in DIAGONAL_STATISTICS
                             and self.cross_withheld is not None)
            for column in ("value", "ci_low", "ci_high"):
                if rec[column] == "":
                    self.add(file, i, column, "", "suppressed",
                             "withheld: it needs a withheld cell of the cross table")
                elif self.cross_withheld is False:
                    self.decimals(file, i, column, rec[column], places,
                                  "statistic of the rounded cross table, every cell shown")
                elif not from_diagonal:
                    self.add(file, i, column, rec[column], "finding",
                             "an agreement statistic that needs a withheld cell "
                             "(or without its cross table beside it)")
                elif not self.matches_shown_numbers(rec, column, expected):
                    self.add(file, i, column, rec[column], "finding",
                             "kappa beside a withheld cell that is not the one of the shown "
                             "diagonal and margins")
                else:
                    self.decimals(file, i, column, rec[column], places,
                                  "statistic of the shown diagonal and rounded margins")

    def kappa_of_shown_numbers(self) -> tuple[float, float] | None:
        """Least and greatest kappa of the shown cross table, margins and group sizes."""
        from python_stats.trajectories import diagonal_bounds

        if self.cross_cells is None or self.assigned_total is None or not self.profile_sizes:
            return None
        rows = [self.profile_sizes.get(p, 0.0) for p in PROFILES]
        cols = [self.assigned.get(p, 0.0) for p in PROFILES]
        total = self.assigned_total
        p_e = sum(a * b for a, b in zip(rows, cols, strict=True)) / total**2
        bounds = diagonal_bounds(np.array(self.cross_cells), np.array(rows), np.array(cols))
        low, high = ((d / total - p_e) / (1 - p_e) for d in bounds)
        return low, high

    @staticmethod
    def matches_shown_numbers(rec: dict[str, str], column: str,
                              expected: tuple[float, float] | None) -> bool:
        """Kappa (a value where the bounds meet, else its range) recomputed from shown numbers;
        the percent agreement and kappa's interval follow from the same diagonal."""
        if expected is None:
            return False
        shown = float(number(rec[column]))
        if rec["statistic"] == "cohens_kappa_range":
            return abs(shown - expected[0 if column == "ci_low" else 1]) <= KAPPA_TOLERANCE
        pinned = expected[0] == expected[1]
        if rec["statistic"] == "cohens_kappa" and column == "value":
            return pinned and abs(shown - expected[0]) <= KAPPA_TOLERANCE
        return pinned

    def generic(self, file: str, frame: pd.DataFrame) -> None:
        """A hand-made table: counts, shares beside their n; any other number is a finding."""
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            for column, text in rec.items():
                if COUNT_PATTERN.match(column):
                    self.count(file, i, column, text)
                elif SHARE_PATTERN.search(column) and "n" in rec:
                    scale = 100.0 if "pct" in column.lower() else 1.0
                    places = PCT_DECIMALS if scale == 100.0 else SHARE_DECIMALS
                    self.share(file, i, column, text, rec["n"], scale, places)
                elif text != "" and number(text) is not None:
                    self.add(file, i, column, text, "finding",
                             "a number that is neither a rounded count nor a share beside its n")

    # -- driver ---------------------------------------------------------------------------

    def layout(self, frame: pd.DataFrame) -> Callable[[str, pd.DataFrame], None]:
        """The check for a file's layout, recognised by its columns."""
        columns = set(frame.columns)
        from python_stats.sensitivity_check import SENSITIVITY_COLUMNS, check_sensitivity

        if columns >= SENSITIVITY_COLUMNS:  # before the estimates: it holds their columns
            return lambda file, table: check_sensitivity(self, file, table)
        for needed, check in ((ESTIMATE_COLUMNS, self.estimates), (TEST_COLUMNS, self.tests),
                              (BALANCE_COLUMNS, self.balance),
                              (REPRODUCTION_COLUMNS, self.reproduction), (DQ_COLUMNS, self.dq),
                              (SELECTION_COLUMNS, self.selection), (GROUP_COLUMNS, self.groups),
                              (CURVE_COLUMNS, self.curves), (CROSS_COLUMNS, self.cross),
                              (AGREEMENT_COLUMNS, self.agreement)):
            if needed <= columns:
                return check
        return self.generic

    def run(self, files: list[Path]) -> list[Verdict]:
        """Check CSV files (tables first: the others refer to them)."""
        frames = {p.name: read_text_csv(p) for p in sorted(files)}
        first = (self.estimates, self.cross, self.groups)  # the others refer to these
        order = sorted(frames, key=lambda n: self.layout(frames[n]) not in first)
        for name in order:
            frame = frames[name]
            self.columns(name, frame)
            self.layout(frame)(name, frame)
        return self.verdicts


def read_text_csv(path: Path) -> pd.DataFrame:
    """A CSV file with every cell as the text written."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def number(text: str | None) -> float | None:
    """The value of a cell, None when it is not a number."""
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return None if value is None or math.isnan(value) else value


def decimal_places(text: str) -> int:
    """Decimals of a number as written (1.50 has 2; 5e-05 has 5)."""
    try:
        exponent = Decimal(text).as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def significant_digits(text: str) -> int:
    """Significant digits of a number as written (0.00052 has 2)."""
    try:
        digits = Decimal(text).normalize().as_tuple().digits
    except InvalidOperation:
        return 0
    return len(digits)


def places_of(unit: str, rules: DisclosureRules) -> int:
    """Decimals allowed for an estimate of a unit: means the rule's, percentages 1, ratios 2."""
    if unit in MEAN_UNITS:
        return rules.mean_decimals
    return PCT_DECIMALS if unit.startswith("pct") else RATIO_DECIMALS


def rule_of(unit: str) -> str:
    """The rule that lets a non-share estimate out."""
    if unit in MEAN_UNITS:
        return "mean of at least the minimum number of persons, coarsened"
    if unit == "ratio":
        return "ratio of shares of rounded counts"
    return "share of rounded totals"


def tables_in(folder: Path) -> list[Path]:
    """The CSV tables of a folder (not an output-check report)."""
    return [p for p in sorted(Path(folder).glob("*.csv")) if p.name != REPORT_NAME]


def check_files(files: list[Path], rules: DisclosureRules,
                person_data: PersonData | None = None) -> list[Verdict]:
    """Every verdict on some CSV files (of one folder: tests refer to the tables beside them),
    the magnitudes recomputed from the person-level marts when given."""
    return Checker(rules, person_data).run(files)


def check_folder(folder: Path, rules: DisclosureRules,
                 person_data: PersonData | None = None) -> list[Verdict]:
    """Every verdict on the CSV files of a folder."""
    return check_files(tables_in(folder), rules, person_data)


FAILING = ("finding", "unverified")


def findings(verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts that fail the check: findings, and magnitudes that could not be verified."""
    return [v for v in verdicts if v.status in FAILING]


def write_report(verdicts: list[Verdict], path: Path) -> Path:
    """output_check.csv: one row per verdict."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in fields(Verdict)])
        writer.writerows((v.file, v.row, v.column, v.value, v.status, v.rule) for v in verdicts)
    return Path(path)


def tally(verdicts: list[Verdict]) -> dict[str, int]:
    """How many cells are shown, suppressed and findings."""
    out = {"shown": 0, "suppressed": 0, "finding": 0, "unverified": 0}
    for v in verdicts:
        out[v.status] += 1
    return out


def describe(verdict: Verdict) -> str:
    """One finding as a line: file, row, column, value and rule."""
    where = f"row {verdict.row}" if verdict.row else "column"
    status = "not verified: " if verdict.status == "unverified" else ""
    return f"{verdict.file}: {where} {verdict.column}={verdict.value!r}: {status}{verdict.rule}"


def lines(verdicts: list[Verdict]) -> Iterator[str]:
    """The findings, one line each."""
    return (describe(v) for v in findings(verdicts))


DESCRIPTION = (
    "Check every number in a folder of CSV tables against the disclosure rule "
    "(docs/disclosure.md); exit 1 when one breaks it."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `blsu check-output`."""
    from blsu_core.paths import path_argument

    parser.add_argument("folder", type=Path, help="folder of CSV tables (e.g. results/)")
    path_argument(parser, "--warehouse", "BLSU_DB",
                  "DuckDB warehouse whose person-level marts the magnitudes (means, sums, "
                  "rates) are verified against, opened read-only; used when the file exists",
                  dest="warehouse")
    parser.add_argument("--round-base", type=int, default=None,
                        help="rounding base (default: dbt var dc_rounding_base)")
    parser.add_argument("--min-cell", type=int, default=None,
                        help="minimum cell size (default: dbt var dc_min_cell)")
    parser.add_argument("--report", type=Path, default=None,
                        help="also write every verdict to this CSV file")


COMMAND = Command("check-output", add_arguments, description=DESCRIPTION)


def person_data(warehouse: Path | None) -> PersonData | None:
    """The person-level marts of the warehouse given (or of $BLSU_DB, when that file exists);
    None without one. A warehouse named but missing, or not readable, is an error."""
    from blsu_core.paths import from_env

    if warehouse is None:
        return None
    if not Path(warehouse).is_file():
        if Path(warehouse) == from_env("BLSU_DB"):
            return None  # the default, and no warehouse there: nothing to verify against
        raise FileNotFoundError(f"warehouse file {warehouse} does not exist")
    return PersonData.load(Path(warehouse))


def run(args: argparse.Namespace) -> int:
    """`blsu check-output DIR`: 0 when every number passes, 1 on a finding (or a magnitude that
    cannot be verified without a warehouse), 2 on bad input."""
    from python_stats.marts import MartError

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    files = tables_in(args.folder)
    if not files:
        print(f"error: {args.folder} holds no CSV tables to check", file=sys.stderr)
        return 2
    try:
        data = person_data(getattr(args, "warehouse", None))
    except (FileNotFoundError, MartError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rules = DisclosureRules.from_project(args.round_base, args.min_cell)
    verdicts = check_files(files, rules, data)
    if args.report:
        write_report(verdicts, args.report)
    counts = tally(verdicts)
    for line in lines(verdicts):
        print(line)
    against = (f"magnitudes checked against {args.warehouse}" if data is not None else
               "no warehouse: magnitudes not verified (--warehouse FILE)")
    unverified = (f", {counts['unverified']} magnitude(s) not verified" if counts["unverified"]
                  else "")
    print(f"{counts['shown']} numbers shown, {counts['suppressed']} suppressed, "
          f"{counts['finding']} finding(s){unverified} in {len(files)} CSV file(s) of "
          f"{args.folder}; {against}")
    return 1 if counts["finding"] or counts["unverified"] else 0
