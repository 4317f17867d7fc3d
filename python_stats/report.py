"""The human-readable reproduction report: Markdown and HTML (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from pathlib import Path

import markdown
import pandas as pd

from python_stats.reproduction import Agreement
from python_stats.rounding import to_text

TESTS_METHOD = (
    "Shares are compared with Pearson's chi-square test (no continuity correction) when every "
    "expected count is at least 5, otherwise with Fisher's exact test (2 x 2) or Fisher's r x c "
    "test by exact enumeration (Freeman-Halton; beyond a size limit a seeded Monte Carlo p-value "
    "with its standard error). Means are compared with Welch's t-test "
    "(pairs) and Welch's one-way ANOVA (three or four groups). A published statement about "
    "offenders (or a profile) against the control groups is set beside the omnibus test of the "
    "three groups; statements about the profiles beside the test of the four profiles. Holm-"
    "adjusted p-values of the pairwise tests are in tests.csv. Intervals: Wilson for shares, "
    "log-scale Wald for prevalence ratios, t for means, Wilson times n for counts, a seeded "
    "percentile bootstrap for a profile's share of all cases."
)
METHODS = TESTS_METHOD + (
    " Counts are rounded to multiples of {base}; cells resting on fewer than {min_cell} persons "
    "are suppressed; shares, ratios, "
    "intervals and share tests are computed from the rounded counts (docs/disclosure.md)."
)


MAGNITUDE_WITHHELD = re.compile(r"dominance|p-ratio|all zero|all the same")


@dataclass(frozen=True)
class RuleEffects:
    """What the magnitude and zero rules withheld or pooled in one run (docs/disclosure.md)."""

    magnitudes: int = 0  # means, sums, variances and statistics on them withheld
    zero_cells: int = 0  # zero cells of the profile cross table withheld
    observed_ages: int = 0  # trajectory ages with an observed mean to show
    banded_ages: int = 0  # of those, shown in a band of ages that passes
    bands: int = 0

    @classmethod
    def of(cls, verdicts: list, trajectory: object | None) -> RuleEffects:
        """Count them from the output check's verdicts and the trajectory export."""
        magnitudes = sum(1 for v in verdicts if v.status == "suppressed"
                         and MAGNITUDE_WITHHELD.search(v.rule))
        if trajectory is None:
            return cls(magnitudes)
        return cls(magnitudes, trajectory.zero_cells, trajectory.observed_ages,
                   trajectory.banded_ages, trajectory.bands)

    def sentence(self, lang: str = "en") -> str:
        """The effects in one sentence."""
        if lang == "nl":
            return (f"De regels voor grootheden (dominantie, p-ratio, nul of gelijke waarden) "
                    f"houden {self.magnitudes} gemiddelden, sommen of spreidingen achter; "
                    f"{self.zero_cells} nulcellen van de kruistabel van profielen zijn "
                    f"achtergehouden; de waargenomen gemiddelden van {self.observed_ages} "
                    f"leeftijden (per trajectgroep) zijn samengevoegd tot {self.bands} "
                    f"leeftijdsbanden, waarvan {self.banded_ages} leeftijden getoond worden.")
        return (f"The magnitude rules (dominance, p-ratio, zero or equal values) withhold "
                f"{self.magnitudes} means, sums or spreads; {self.zero_cells} zero cells of the "
                f"profile cross table are withheld; the observed means of {self.observed_ages} "
                f"ages (per trajectory group) are pooled into {self.bands} bands of ages, "
                f"covering {self.banded_ages} of those ages.")


def summary_line(agree: Agreement) -> str:
    """'N of M published numbers fall inside their 95% interval; K of L ... agree (...).'

    A statement agrees when it is true of the reproduced test (p<0.01 holds for p<0.001 too);
    how many also fall in the very same band is said beside it.
    """
    return (
        f"{agree.numbers_inside} of {agree.numbers_compared} published numbers fall inside their "
        f"95% interval; {agree.statements_agreeing} of {agree.statements} significance "
        f"statements agree ({agree.statements_same_band} in the same p-value band)."
    )


def cell(value: object) -> str:
    """A table cell: empty for NaN, booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if math.isnan(value) else to_text(value)
    return str(value).replace("|", "/")


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table."""
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([header, rule, *body])


def interval_text(row: pd.Series) -> str:
    """'[low, high]' or '' when there is no interval."""
    if math.isnan(row["ci_low"]) or math.isnan(row["ci_high"]):
        return ""
    return f"[{to_text(row['ci_low'])}, {to_text(row['ci_high'])}]"


def numbers_section(rep: pd.DataFrame) -> str:
    """Published numbers beside the reproduced ones."""
    frame = pd.DataFrame({
        "figure": rep["figure"], "measure": rep["measure"], "group": rep["group"],
        "published": rep["value"], "reproduced": rep["reproduced"],
        "95% interval": rep.apply(interval_text, axis=1), "inside": rep["inside_ci"],
        "note": rep["note"],
    })
    return markdown_table(frame)


def significance_section(rep: pd.DataFrame) -> str:
    """Published significance statements beside the reproduced bands."""
    rows = rep[rep["published_significance"] != ""]
    frame = pd.DataFrame({
        "figure": rows["figure"], "measure": rows["measure"], "group": rows["group"],
        "published": rows["published_significance"], "reproduced": rows["reproduced_band"],
        "agrees": rows["agrees"],
    })
    return markdown_table(frame)


def build_markdown(rep: pd.DataFrame, agree: Agreement, dq: pd.DataFrame, base: int,
                   min_cell: int, figures: list[str],
                   effects: RuleEffects | None = None) -> str:
    """The report as Markdown; figures are referenced by their PNG file names."""
    parts = [
        "# Reproduction of the published figures",
        "",
        f"**{summary_line(agree)}**",
        "",
        f"{agree.numbers_published} numbers are published; "
        f"{agree.numbers_published - agree.numbers_compared} of them have no reproduced interval "
        "(suppressed, fixed by design, or not reproducible; see the notes).",
        f"{agree.numbers_suppressed} published numbers and {agree.statements_suppressed} "
        "significance statements could not be shown because of disclosure control.",
        (effects or RuleEffects()).sentence("en"),
        "",
        "## Numbers",
        "",
        numbers_section(rep),
        "",
        "## Significance statements",
        "",
        significance_section(rep),
        "",
        "## Figures",
        "",
        *[f"![{name}]({name}.png)\n" for name in figures],
        "## Data quality",
        "",
        markdown_table(dq) if len(dq) else "No findings.",
        "",
        "## Methods",
        "",
        METHODS.format(base=base, min_cell=min_cell),
        "",
    ]
    return "\n".join(parts)


def build_html(md_text: str, results_dir: Path, figures: list[str]) -> str:
    """The report as a standalone HTML page with the PNG figures embedded."""
    body = markdown.markdown(md_text, extensions=["tables"])
    for name in figures:
        data = base64.b64encode((results_dir / f"{name}.png").read_bytes()).decode("ascii")
        body = body.replace(f'src="{name}.png"', f'src="data:image/png;base64,{data}"')
    style = ("body{font-family:sans-serif;max-width:72rem;margin:2rem auto;font-size:14px}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
             "img{max-width:100%}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Reproduction"
            f"</title><style>{style}</style></head><body>\n{body}\n</body></html>\n")
