"""The sensitivity table on hand-made findings: the verdicts, the weaker rule's blanks, the
summary of draws, and the output check of the table (what it passes and what it refuses)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from python_stats.disclosure import DisclosureRules
from python_stats.export import ResultsWriter
from python_stats.output_check import check_folder, findings
from python_stats.sensitivity import (
    Findings,
    Outcome,
    VariantSpec,
    at_least_as_strict,
    sensitivity_table,
)

RULES = DisclosureRules(5, 10)
GROUPS = ("blsu", "criminal_control", "noncriminal_control")


def share(group: str, k: int, n: int, band: str) -> dict[str, object]:
    """A row of A2 victim_any as the controlled table has it (shares of the rounded counts)."""
    value = round(100 * k / n, 1)
    return {"figure": "A2", "measure": "victim_any_2010_2023", "group": group, "unit": "pct",
            "value": value, "ci_low": round(value - 8, 1), "ci_high": round(value + 8, 1),
            "n": float(n), "n_events": float(k), "suppressed": False, "value_exact": 100 * k / n,
            "comparison": "" if group == "noncriminal_control"
            else f"{group} vs noncriminal_control", "band": "" if group == "noncriminal_control"
            else band}


def made(blsu: int, criminal: int, noncriminal: int, band: str = "<0.001",
         statement: str = "<0.001") -> Findings:
    numbers = pd.DataFrame([share("blsu", blsu, 65, band),
                            share("criminal_control", criminal, 65, band),
                            share("noncriminal_control", noncriminal, 65, band)])
    statements = pd.DataFrame([{"figure": "A2", "measure": "victim_any_2010_2023",
                                "group": "blsu", "comparison": "blsu vs controls",
                                "published": "<0.01", "band": statement}])
    return Findings(numbers, statements)


MAIN = made(45, 35, 25)


def variant(name: str, found: Findings, family: str = "f", **rules: int) -> Outcome:
    return Outcome(VariantSpec(name, family, "d.", {"x": 1}, draw=family == "draws", **rules),
                   found)


def by(frame: pd.DataFrame, name: str, group: str = "blsu", unit: str = "pct") -> pd.Series:
    hit = frame[(frame["variant"] == name) & (frame["group"] == group) & (frame["unit"] == unit)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_verdicts_against_the_main_specification() -> None:
    frame = sensitivity_table(MAIN, [
        variant("same", MAIN),
        # criminal controls now below the non-criminal ones, band weaker, outside the interval
        variant("turned", made(45, 20, 25, band="<0.01", statement="<0.01")),
    ], RULES)
    same = by(frame, "same")
    assert (same["holds_direction"], same["holds_band"], same["inside_main_interval"]) == (
        True, True, True)
    turned = by(frame, "turned", "criminal_control")
    assert (turned["holds_direction"], turned["holds_band"], turned["inside_main_interval"]) == (
        False, False, False)
    assert by(frame, "turned", "noncriminal_control")["holds_direction"] == ""
    statement = by(frame, "turned", unit="test")
    assert (statement["holds_direction"], statement["holds_band"]) == (True, False)


def test_a_weaker_rule_shows_only_its_verdicts() -> None:
    assert not at_least_as_strict(DisclosureRules(1, 10), RULES)
    assert not at_least_as_strict(DisclosureRules(5, 8), RULES)
    assert at_least_as_strict(DisclosureRules(10, 15), RULES)
    # magnitudes: fewer largest contributions, a larger share or a smaller p are looser
    assert not at_least_as_strict(DisclosureRules(5, 10, dominance_n=1), RULES)
    assert not at_least_as_strict(DisclosureRules(5, 10, dominance_k=0.95), RULES)
    assert not at_least_as_strict(DisclosureRules(5, 10, p_ratio=0.05), RULES)
    assert at_least_as_strict(DisclosureRules(5, 10, 3, 0.80, 0.20), RULES)
    frame = sensitivity_table(MAIN, [variant("unrounded", made(44, 33, 26), round_base=1)],
                              RULES)
    row = by(frame, "unrounded")
    assert all(math.isnan(row[c]) for c in ("value", "ci_low", "ci_high", "n", "n_events"))
    assert (row["band"], row["inside_main_interval"], row["holds_direction"]) == ("", "", True)
    assert "only whether the findings hold is shown" in row["note"]


def test_draws_are_summarised_by_numbers_shown_for_them() -> None:
    draws = [variant(f"draws_{i}", made(45, k, 25), family="draws")
             for i, k in enumerate((30, 40, 35, 20), start=1)]
    frame = sensitivity_table(MAIN, draws, RULES)
    summary = by(frame, "draws", "criminal_control")
    shown = sorted(round(100 * k / 65, 1) for k in (30, 40, 35, 20))
    assert summary["value"] == shown[1]  # the lower median of four
    assert (summary["spread_low"], summary["spread_high"]) == (shown[0], shown[-1])
    main = by(frame, "main", "criminal_control")
    assert (summary["ci_low"], summary["ci_high"]) == (main["ci_low"], main["ci_high"])
    assert summary["holds_direction"] is False  # one draw puts them below the reference
    assert "direction held in 3 of 4" in summary["note"]


def write(frame: pd.DataFrame, folder: Path) -> Path:
    ResultsWriter(folder, RULES).table(frame, "sensitivity.csv")
    return folder / "sensitivity.csv"


def test_the_output_check_passes_the_table_and_refuses_what_it_must_not_show(
        tmp_path: Path) -> None:
    draws = [variant(f"draws_{i}", made(45, k, 25), family="draws")
             for i, k in enumerate((30, 40), start=1)]
    frame = sensitivity_table(MAIN, [*draws, variant("unrounded", made(44, 33, 26),
                                                     round_base=1)], RULES)
    path = write(frame, tmp_path)
    assert not findings(check_folder(tmp_path, RULES))
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    cases = {
        "a number of the weaker rule": (text["variant"] == "unrounded", "n", "65"),
        "a summary number no draw shows": (text["variant"] == "draws", "value", "12.3"),
        "an unrounded count": (text["variant"] == "draws_1", "n_events", "31"),
    }
    for what, (where, column, value) in cases.items():
        bad = text.copy()
        bad.loc[bad.index[where & (bad["unit"] == "pct")][0], column] = value
        bad.to_csv(path, index=False)
        assert findings(check_folder(tmp_path, RULES)), what


@pytest.mark.parametrize("rules", [DisclosureRules(5, 15), DisclosureRules(10, 10)])
def test_a_stricter_rule_shows_its_numbers(rules: DisclosureRules) -> None:
    frame = sensitivity_table(MAIN, [variant("strict", MAIN, round_base=rules.round_base,
                                             min_cell=rules.min_cell)], RULES)
    assert by(frame, "strict")["value"] == by(frame, "main")["value"]
