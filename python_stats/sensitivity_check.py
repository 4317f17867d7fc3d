"""The output check of results/sensitivity.csv (python_stats.sensitivity), one layout of
python_stats.output_check.

Each specification's rows are rows of its controlled estimates table: they are checked as a
table of estimates of their own (counts rounded, shares of the rounded counts beside their n,
no single profile withheld beside a shown total), so one specification's shown rows never
vouch for another's. A statement row, a failed variant's row and a row of a variant under a
weaker rule (its note says so) show no number at all. A summary row of a family of draws may
only repeat numbers shown in the same file: its value is one of the family's shown draws, its
interval the main specification's, its spread the lowest and highest shown draw.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pandas as pd

from python_stats.sensitivity import (
    COLUMNS,
    MAIN,
    NUMBER_COLUMNS,
    ROW_KEY,
    STATEMENT_UNIT,
    VERDICT_ONLY_NOTE,
)

if TYPE_CHECKING:
    from python_stats.output_check import Checker

SENSITIVITY_COLUMNS = frozenset(COLUMNS)
SPREAD = ("spread_low", "spread_high")


def check_sensitivity(checker: Checker, file: str, frame: pd.DataFrame) -> None:
    """Every cell of sensitivity.csv (text cells, as written) gets its verdict in `checker`."""
    from python_stats.output_check import Checker

    summary = frame["spread_low"].ne("") | frame["spread_high"].ne("") | (
        frame["variant"].eq(frame["family"]) & frame["variant"].ne(MAIN))
    weaker = frame["note"].str.startswith(VERDICT_ONLY_NOTE.split("(")[0])
    bare = frame["unit"].isin(["", STATEMENT_UNIT]) | weaker
    for i in frame.index[bare & ~summary]:
        no_numbers(checker, file, i, frame.loc[i],
                   "a statement, a failed variant or a variant under a weaker rule")
    estimates = frame[~bare & ~summary]
    for _, rows in estimates.groupby("variant", sort=False):
        own = Checker(checker.rules)
        own.estimates(file, rows.reset_index(drop=True))
        checker.verdicts += [dataclasses.replace(v, row=int(rows.index[v.row - 1]) + 1)
                             if v.row else v for v in own.verdicts]
    for i in frame.index[summary]:
        summary_row(checker, file, i, frame, estimates)


def no_numbers(checker: Checker, file: str, i: int, rec: pd.Series, what: str) -> None:
    """A row that shows no number."""
    for column in (*NUMBER_COLUMNS, *SPREAD):
        if rec[column] != "":
            checker.add(file, i + 1, column, rec[column], "finding",
                        f"{what} shows no number")


def summary_row(checker: Checker, file: str, i: int, frame: pd.DataFrame,
                estimates: pd.DataFrame) -> None:
    """A family's summary: only numbers shown elsewhere in the file."""
    rec = frame.loc[i]
    if rec["unit"] == STATEMENT_UNIT or all(rec[c] == "" for c in ("value", *SPREAD)):
        no_numbers(checker, file, i, rec, "a summary without shown draws")
        return
    same = (estimates[ROW_KEY] == rec[ROW_KEY]).all(axis=1)
    draws = estimates[same & estimates["family"].eq(rec["family"])]
    shown = sorted(float(v) for v in draws["value"] if v != "")
    main = estimates[same & estimates["variant"].eq(MAIN)]
    allowed = {
        "value": {float(v) for v in shown},
        "spread_low": {shown[0]} if shown else set(),
        "spread_high": {shown[-1]} if shown else set(),
        "ci_low": {float(v) for v in main["ci_low"] if v != ""},
        "ci_high": {float(v) for v in main["ci_high"] if v != ""},
    }
    for column, values in allowed.items():
        text = rec[column]
        if text == "":
            continue
        if float(text) in values:
            checker.add(file, i + 1, column, text, "shown",
                        "repeats a number shown for a draw or the main specification")
        else:
            checker.add(file, i + 1, column, text, "finding",
                        "a summary of draws may only repeat numbers shown in the file")
    for column in ("n", "n_events"):
        if rec[column] != "":
            checker.add(file, i + 1, column, rec[column], "finding",
                        "a summary of draws shows no count")
