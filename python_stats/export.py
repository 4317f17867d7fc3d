"""The only way results leave the statistics layer.

Every file under the results folder is written here. Tables are refused when they carry a person
key, a minimum or maximum, or a count column (named `n`, `n_*` or `*_n`) whose values are not
multiples of the rounding base. The check is on column names and values, so a frame that was
never aggregated (it still has `rinpersoon`) cannot be written by mistake.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from python_stats.disclosure import (
    COUNT_PATTERN,
    EXTREME_PATTERN,
    PERSON_KEY_PATTERN,
    DisclosureRules,
    is_multiple,
)
from python_stats.rounding import to_text


class DisclosureError(ValueError):
    """A table failed disclosure control and was not written."""


def check_table(frame: pd.DataFrame, rules: DisclosureRules, name: str) -> None:
    """Raise DisclosureError when `frame` may not leave the warehouse."""
    for column in frame.columns:
        label = str(column)
        if PERSON_KEY_PATTERN.search(label):
            raise DisclosureError(
                f"{name}: column {label!r} is a person key; only aggregates may be written"
            )
        if EXTREME_PATTERN.search(label):
            raise DisclosureError(f"{name}: column {label!r} is a minimum or maximum")
        if COUNT_PATTERN.match(label):
            check_counts(frame[column], rules, name, label)


def check_counts(values: pd.Series, rules: DisclosureRules, name: str, column: str) -> None:
    """Raise DisclosureError when a count column holds a value that is not rounded."""
    numeric = pd.to_numeric(values, errors="coerce")
    for row, value in numeric.items():
        if not is_multiple(float(value), rules.round_base):
            raise DisclosureError(
                f"{name}: column {column!r} row {row} holds {value}, expected a multiple of "
                f"{rules.round_base} (counts must be rounded) or an empty cell"
            )


class ResultsWriter:
    """Writes disclosure-checked files into one results folder and remembers what it wrote."""

    def __init__(self, results_dir: Path, rules: DisclosureRules) -> None:
        self.results_dir = Path(results_dir)
        self.rules = rules
        self.written: list[Path] = []
        self.results_dir.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        path = self.results_dir / name
        self.written.append(path)
        return path

    def table(self, frame: pd.DataFrame, name: str) -> Path:
        """Write a CSV after disclosure control; every float as the decimal it was rounded to
        (python_stats.rounding.to_text: no second rounding on the way out)."""
        check_table(frame, self.rules, name)
        path = self._path(name)
        frame.to_csv(path, index=False, float_format=to_text, lineterminator="\n")
        return path

    def adopt(self, paths: list[Path]) -> None:
        """Count files that another writer on the same folder wrote (the figures' process)."""
        self.written.extend(Path(p) for p in paths)

    def text(self, content: str, name: str) -> Path:
        """Write a text file (a report built from already-checked tables)."""
        path = self._path(name)
        path.write_text(content, encoding="utf-8")
        return path

    def json(self, payload: dict[str, Any], name: str) -> Path:
        """Write a JSON object with sorted keys."""
        return self.text(json.dumps(payload, indent=2, sort_keys=True) + "\n", name)

    def figure(self, fig: Any, stem: str) -> list[Path]:
        """Save a matplotlib figure as PNG and SVG without timestamps, so reruns are identical."""
        png = self._path(f"{stem}.png")
        fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
        svg = self._path(f"{stem}.svg")
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        return [png, svg]
