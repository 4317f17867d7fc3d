"""Figures A1, A2 and A3 from the disclosure-controlled tables (matplotlib, Agg backend).

Output is deterministic: a fixed SVG hash salt and no timestamps in the file metadata (set in
python_stats.export). Suppressed cells are drawn as gaps and explained in a note.
matplotlib is imported on first use.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from python_stats.disclosure import DisclosureRules
from python_stats.export import ResultsWriter
from python_stats.marts import GROUPS, OFFENDERS, PROFILES, VICTIM_TYPES
from python_stats.rounding import to_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ORANGE = "#E8812B"
MINT = "#7FD1AE"
GREY = "#9A9A9A"
SERIES_COLOURS = ("#154273", "#5D8AC0", "#A9C4E4", "#7FD1AE", "#E8812B", "#B3B3B3", "#5B5B5B")
A1_ORDER = (*GROUPS, *PROFILES)


def pyplot() -> ModuleType:
    """matplotlib.pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def configure() -> None:
    """Deterministic, readable defaults."""
    pyplot().rcParams.update({
        "svg.hashsalt": "blsu-warehouse", "font.size": 9, "axes.spines.top": False,
        "axes.spines.right": False, "font.family": "DejaVu Sans",
    })


class Values:
    """The values of the controlled table by (measure, group), indexed once per figure."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.values: dict[tuple[str, str], float] = {}
        for key in zip(table["measure"].tolist(), table["group"].tolist(),
                       table["value"].tolist(), strict=True):
            self.values.setdefault(key[:2], float(key[2]))

    def get(self, measure: str, group: str) -> float:
        """The first value of a measure and group (NaN when absent or suppressed)."""
        return self.values.get((measure, group), math.nan)


def suppressed_note(fig: Figure, text: str) -> None:
    """A footnote explaining gaps."""
    fig.text(0.01, 0.01, text, fontsize=7, color="#555555", ha="left", va="bottom")


def figure_a1(table: pd.DataFrame, lab: dict[str, str], min_cell: int) -> Figure:
    """Horizontal bars of the LVB ratio; below 1 orange, above 1 mint, reference line at 1."""
    configure()
    fig, ax = pyplot().subplots(figsize=(7.5, 4.2))
    names = list(reversed(A1_ORDER))
    found = Values(table)
    values = [found.get("lvb_ratio_vs_noncriminal", g) for g in names]
    colours = [GREY if v == 1 else (ORANGE if v < 1 else MINT) for v in values]
    y = np.arange(len(names))
    ax.barh(y, [0 if math.isnan(v) else v for v in values], color=colours, height=0.6)
    for yi, v in zip(y, values, strict=True):
        label = "-" if math.isnan(v) else to_text(v)  # the table's value: rounded once
        ax.text((0 if math.isnan(v) else v) + 0.1, yi, label, va="center", fontsize=8)
    ax.axvline(1, color="#333333", linewidth=1)
    ax.set_yticks(y, [lab[g] for g in names])
    ax.set_xlabel(lab["A1_x"])
    ax.set_title(lab["A1_title"], loc="left", fontsize=10)
    fig.subplots_adjust(left=0.3, bottom=0.2)
    suppressed_note(fig, lab["suppressed"].format(n=min_cell))
    return fig


def grouped_bars(ax: Axes, categories: list[str], series: list[str],
                 values: np.ndarray, lab: dict[str, str]) -> None:
    """Grouped vertical bars: one cluster per category, one bar per series; NaN is a gap."""
    width = 0.8 / len(series)
    x = np.arange(len(categories))
    for i, name in enumerate(series):
        heights = values[:, i]
        ax.bar(x + i * width - 0.4 + width / 2, np.nan_to_num(heights), width,
               color=SERIES_COLOURS[i % len(SERIES_COLOURS)], label=lab[name])
    ax.set_xticks(x, [lab[c] for c in categories], rotation=20, ha="right")


def bar_colour(group: str) -> str:
    """Study groups in the report's blues, profiles in mint."""
    return SERIES_COLOURS[GROUPS.index(group)] if group in GROUPS else MINT


def figure_a2(table: pd.DataFrame, lab: dict[str, str], min_cell: int) -> Figure:
    """Victimisation: any 2010-2023, recent (eligible offenders) and mean count among victims."""
    configure()
    fig, axes = pyplot().subplots(1, 3, figsize=(11, 4.6))
    groups = [*GROUPS, *PROFILES]
    found = Values(table)
    for ax, measure, title, names in (
        (axes[0], "victim_any_2010_2023", lab["A2_any"], groups),
        (axes[1], "victim_recent_3y_before_first_ht", lab["A2_recent"], [OFFENDERS, *PROFILES]),
        (axes[2], "mean_victimisations_among_victims", lab["A2_mean"], groups),
    ):
        values = [found.get(measure, g) for g in names]
        ax.bar(range(len(names)), np.nan_to_num(values), color=[bar_colour(g) for g in names])
        ax.set_xticks(range(len(names)), [lab[g] for g in names], rotation=35, ha="right")
        ax.set_title(textwrap.fill(title, 34), fontsize=9, loc="left")
    fig.suptitle(lab["A2_title"], x=0.01, ha="left", fontsize=10)
    fig.subplots_adjust(bottom=0.36, top=0.8, wspace=0.3)
    suppressed_note(fig, lab["suppressed"].format(n=min_cell))
    return fig


def figure_a3(table: pd.DataFrame, lab: dict[str, str], min_cell: int) -> Figure:
    """Offence types among victims, per group (left) and per profile (right)."""
    configure()
    fig, axes = pyplot().subplots(1, 2, figsize=(11, 4.4), sharey=True)
    found = Values(table)
    for ax, series, title in ((axes[0], list(GROUPS), lab["A3_groups"]),
                              (axes[1], list(PROFILES), lab["A3_profiles"])):
        values = np.array([[found.get(f"victim_type_pct_among_victims_{t}", s)
                            for s in series] for t in VICTIM_TYPES])
        grouped_bars(ax, list(VICTIM_TYPES), series, values, lab)
        ax.set_title(title, fontsize=9, loc="left")
        ax.legend(fontsize=7, frameon=False)
    fig.suptitle(lab["A3_title"], x=0.01, ha="left", fontsize=10)
    fig.subplots_adjust(bottom=0.3, wspace=0.1)
    suppressed_note(fig, lab["suppressed"].format(n=min_cell))
    return fig


def close(fig: Figure) -> None:
    """Release a figure's memory."""
    pyplot().close(fig)


FIGURES = (("A1", figure_a1), ("A2", figure_a2), ("A3", figure_a3))


def render_figures(table: pd.DataFrame, lab: dict[str, str], min_cell: int,
                   results_dir: Path, rules: DisclosureRules) -> list[Path]:
    """Draw A1, A2 and A3 and write each as PNG and SVG; the paths written, in order. The
    figures' settings (configure) do not outlast them."""
    writer = ResultsWriter(results_dir, rules)
    with pyplot().rc_context():
        for name, draw in FIGURES:
            fig = draw(table, lab, min_cell)
            writer.figure(fig, name)
            close(fig)
    return writer.written
