"""The sensitivity results in the report: a forest plot per headline measure and the words
saying which findings are robust and which depend on a choice.

Everything here is drawn from results/sensitivity.csv as written (python_stats.sensitivity):
the plots and the sentences add no number. A finding is robust when no variant with a verdict
turns its direction or its significance band; it depends on a choice when some variant does,
and the variants (a family of draws counted once, with how many of its draws) are named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from python_stats.export import ResultsWriter
from python_stats.figures import GREY, ORANGE, configure, pyplot
from python_stats.labels import labels, measure_label, unit_label
from python_stats.marts import PROFILES
from python_stats.report_html import TEXT as REPORT_TEXT
from python_stats.report_html import band_words, embed_png, number, subject_words
from python_stats.sensitivity import (
    FIGURE_PREFIX,
    FILES,
    HEADLINES,
    MAIN,
    STATEMENT_UNIT,
    Headline,
    Sensitivity,
    Stamp,
    current,
)

BLUE = "#154273"
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Sensitivity to the study's choices",
        "intro": "The main specification beside {n} variants of the study's choices, each a "
                 "build of the warehouse with other vars or the statistics under another "
                 "disclosure rule (sensitivity.csv, docs/sensitivity.md){only}. A finding is "
                 "robust when no variant changes its direction (a ratio above or below 1, a "
                 "group above or below its reference) or the significance band of its test.",
        "only": "; {n} of the {declared} declared variants were run",
        "robust": "Robust findings", "depends": "Findings that depend on a choice",
        "none": "None.",
        "held": "{finding}: holds in every variant with a verdict ({k} of {n}).",
        "moved": "{finding}: {changes}.",
        "direction": "the direction changes under {variants}",
        "band": "the significance band changes under {variants}",
        "draws": "{family} ({k} of {n} draws)",
        "number": "{measure}, {group}: {main}",
        "against": "{value} (against {reference}: {band})",
        "among": "{value} (between the profiles: {band})",
        "statement": "{measure}, {comparison}: published {published}, main specification "
                     "{main}",
        "spread": "Over the {n} draws of {family}, the numbers spread as follows (lowest to "
                  "highest shown draw, beside the main 95% interval): {items}.",
        "spread_item": "{measure}, {group}: {low}\u2013{high} ({ci_low}\u2013{ci_high})",
        "variants": "Variants", "variant": "Variant", "family": "Family",
        "changes": "What it changes", "legend": "Dot and line: the variant's value and 95% "
        "interval (orange: direction or band differs from the main specification); grey band: "
        "the main 95% interval; wide bar: the spread of a family of draws; \u2013: not shown "
        "(suppressed, or a weaker disclosure rule).",
    },
    "nl": {
        "title": "Gevoeligheid voor de keuzes van de studie",
        "intro": "De hoofdspecificatie naast {n} varianten van de keuzes van de studie, elk een "
                 "build van het warehouse met andere vars of de statistiek onder een andere "
                 "geheimhoudingsregel (sensitivity.csv, docs/sensitivity.md){only}. Een "
                 "bevinding is robuust als geen variant de richting verandert (een ratio boven "
                 "of onder 1, een groep boven of onder haar referentie) of de "
                 "significantieklasse van de toets.",
        "only": "; {n} van de {declared} gedeclareerde varianten zijn doorgerekend",
        "robust": "Robuuste bevindingen", "depends": "Bevindingen die van een keuze afhangen",
        "none": "Geen.",
        "held": "{finding}: houdt stand in elke variant met een oordeel ({k} van {n}).",
        "moved": "{finding}: {changes}.",
        "direction": "de richting verandert bij {variants}",
        "band": "de significantieklasse verandert bij {variants}",
        "draws": "{family} ({k} van {n} trekkingen)",
        "number": "{measure}, {group}: {main}",
        "against": "{value} (tegenover {reference}: {band})",
        "among": "{value} (tussen de profielen: {band})",
        "statement": "{measure}, {comparison}: gepubliceerd {published}, hoofdspecificatie "
                     "{main}",
        "spread": "Over de {n} trekkingen van {family} spreiden de getallen zich zo (laagste "
                  "tot hoogste getoonde trekking, naast het 95%-interval van de "
                  "hoofdspecificatie): {items}.",
        "spread_item": "{measure}, {group}: {low}\u2013{high} ({ci_low}\u2013{ci_high})",
        "variants": "Varianten", "variant": "Variant", "family": "Familie",
        "changes": "Wat ze verandert", "legend": "Punt en lijn: waarde en 95%-interval van de "
        "variant (oranje: richting of klasse wijkt af van de hoofdspecificatie); grijze band: "
        "het 95%-interval van de hoofdspecificatie; brede balk: de spreiding van een familie "
        "trekkingen; \u2013: niet getoond (onderdrukt, of een zwakkere geheimhoudingsregel).",
    },
}


#: measures the report's labels do not name
MEASURES = {"nl": {"lvb_pct": "LVB-indicatie"}, "en": {"lvb_pct": "LVB indication"}}


def measure_words(measure: str, lang: str) -> str:
    return MEASURES[lang].get(measure) or measure_label(measure, lang)


def shown(text: str, unit: str, lang: str) -> str:
    """A number as the table writes it (no second rounding), in the report's decimal mark."""
    return number(text, 0, lang) + ("%" if unit.startswith("pct") else "")


def as_float(text: object) -> float:
    try:
        return float(str(text))
    except ValueError:
        return math.nan


# --- the forest plots ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One row of a forest plot: a specification (or a family of draws) and its label."""

    variant: str
    label: str
    summary: bool = False


def plot_lines(sens: Sensitivity) -> list[Line]:
    """The main specification, each variant that is no draw, then each family of draws."""
    out = [Line(MAIN, MAIN)]
    families: dict[str, int] = {}
    for v in sens.variants:
        if v.get("draw"):
            families[v["family"]] = families.get(v["family"], 0) + 1
        elif v.get("status") == "ok":
            out.append(Line(v["name"], v["name"]))
    out += [Line(f, f"{f} (\u00d7{n})", summary=True) for f, n in families.items()]
    return out


def forest(sens: Sensitivity, headline: Headline, lang: str) -> Any:
    """The figure of one headline measure: a panel per group, a row per specification."""
    configure()
    lab = labels(lang)
    table = sens.table
    rows = table[(table["figure"] == headline.figure) & (table["measure"] == headline.measure)
                 & (table["unit"] != STATEMENT_UNIT)]
    lines = plot_lines(sens)
    groups = [g for g in headline.groups if g in set(rows["group"])]
    ncols = min(3, len(groups)) or 1
    nrows = math.ceil(len(groups) / ncols) or 1
    fig, axes = pyplot().subplots(nrows, ncols, squeeze=False, sharey=True,
                                  figsize=(2.4 * ncols + 2.6, 0.19 * len(lines) * nrows + 1.3))
    for ax in axes.flat[len(groups):]:
        ax.set_visible(False)
    for ax, group in zip(axes.flat, groups, strict=False):
        panel(ax, rows[rows["group"] == group], lines, headline)
        ax.set_title(lab.get(group, group), fontsize=9, loc="left")
    axes[0, 0].set_yticks(list(range(len(lines))), [line.label for line in lines])
    axes[0, 0].set_ylim(len(lines) - 0.5, -0.5)  # shared by every panel: the main on top
    unit = unit_label(str(rows["unit"].iloc[0]) if len(rows) else "", lang)
    fig.suptitle(f"{measure_words(headline.measure, lang)} ({unit})", x=0.01, ha="left",
                 fontsize=10)
    fig.text(0.01, 0.005, TEXT[lang]["legend"], fontsize=6, color="#555555", ha="left",
             va="bottom", wrap=True)
    fig.subplots_adjust(left=0.22, right=0.98, top=1 - 0.55 / fig.get_figheight(),
                        bottom=0.75 / fig.get_figheight(), wspace=0.08,
                        hspace=0.9 / (0.19 * len(lines) + 0.2))
    return fig


def panel(ax: Any, rows: pd.DataFrame, lines: list[Line], headline: Headline) -> None:
    """One group's rows: the main interval as a band, each specification as dot and line."""
    by_variant = {r["variant"]: r for r in rows.to_dict("records")}
    main = by_variant.get(MAIN)
    if main is not None and main["ci_low"] != "":
        ax.axvspan(as_float(main["ci_low"]), as_float(main["ci_high"]), color="#e6e6e6", lw=0)
    if headline.is_ratio:
        ax.axvline(1.0, color="#333333", linewidth=0.6, linestyle=":")
    for y, line in enumerate(lines):
        rec = by_variant.get(line.variant)
        value = as_float(rec["value"]) if rec is not None else math.nan
        if math.isnan(value):
            ax.text(0.02, y, "\u2013", transform=ax.get_yaxis_transform(), va="center",
                    fontsize=7, color=GREY)
            continue
        if line.summary:
            ax.hlines(y, as_float(rec["spread_low"]), as_float(rec["spread_high"]),
                      color=BLUE, alpha=0.35, linewidth=6)
        colour = BLUE if line.variant == MAIN or holds(rec) else ORANGE
        low, high = as_float(rec["ci_low"]), as_float(rec["ci_high"])
        if not (math.isnan(low) or math.isnan(high)):
            ax.hlines(y, low, high, color=colour, linewidth=1)
        ax.plot([value], [y], "o", color=colour, markersize=3.5)
    ax.tick_params(labelsize=7)
    ax.margins(x=0.08)
    ax.grid(axis="x", color="#f0f0f0", linewidth=0.5)


def holds(rec: dict[str, Any]) -> bool:
    """Neither the direction nor the band differs from the main specification."""
    return "False" not in (str(rec["holds_direction"]), str(rec["holds_band"]))


def render(sens: Sensitivity, writer: ResultsWriter, lang: str) -> dict[str, Path]:
    """Draw the forest plot of every headline measure the table holds (PNG and SVG); the PNG
    of each, by measure."""
    out = {}
    present = set(sens.table["measure"])
    with pyplot().rc_context():
        for headline in HEADLINES:
            if headline.measure not in present:
                continue
            fig = forest(sens, headline, lang)
            png, _ = writer.figure(fig, FIGURE_PREFIX + headline.measure)
            pyplot().close(fig)
            out[headline.measure] = png
    return out


# --- the words ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdicts:
    """Which variants turn a finding: by direction and by band, and how many gave a verdict."""

    direction: list[str]
    band: list[str]
    decided: int


def turned(rows: pd.DataFrame, draws: dict[str, int], words: dict[str, str]) -> Verdicts:
    """The variants (a family of draws once, with its count) whose verdicts are False."""
    out: dict[str, list[str]] = {}
    decided = 0
    for column in ("holds_direction", "holds_band"):
        names: list[str] = []
        per_family: dict[str, int] = {}
        for rec in rows.to_dict("records"):
            if rec["family"] in draws:
                if rec["variant"] != rec["family"] and rec[column] == "False":
                    per_family[rec["family"]] = per_family.get(rec["family"], 0) + 1
            elif rec[column] == "False":
                names.append(rec["variant"])
        names += [words["draws"].format(family=f, k=k, n=draws[f])
                  for f, k in per_family.items()]
        out[column] = names
    for rec in rows.to_dict("records"):
        if rec["variant"] != rec["family"] or rec["family"] not in draws:
            decided += rec["holds_direction"] in ("True", "False") or rec["holds_band"] in (
                "True", "False")
    return Verdicts(out["holds_direction"], out["holds_band"], decided)


def finding_words(main: dict[str, str], lang: str) -> str:
    """'LVB indication, offenders: 3.6x (against the non-criminal controls: p < 0.001)', or a
    statement in the words of the report's significance sections."""
    t, lab, report = TEXT[lang], labels(lang), REPORT_TEXT[lang]
    measure = measure_words(main["measure"], lang)
    if main["unit"] == STATEMENT_UNIT:
        published = main["note"].removeprefix("published: ")
        return t["statement"].format(
            measure=measure, comparison=subject_words(main["comparison"], report, lab),
            published=band_words(published, report, lang),
            main=band_words(main["band"], report, lang))
    value = shown(main["value"], main["unit"], lang) + (
        "\u00d7" if main["unit"] == "ratio" else "")
    if main["band"] and main["comparison"] == "profiles":
        value = t["among"].format(value=value, band=band_words(main["band"], report, lang))
    elif main["band"]:
        reference = lab.get(main["comparison"].split(" vs ")[-1], main["comparison"])
        if reference[1:2].islower():  # 'Non-criminal control group' mid-sentence
            reference = reference[0].lower() + reference[1:]
        value = t["against"].format(value=value, reference=reference,
                                    band=band_words(main["band"], report, lang))
    return t["number"].format(measure=measure, group=lab.get(main["group"], main["group"]),
                              main=value)


def findings_words(sens: Sensitivity, lang: str) -> tuple[list[str], list[str]]:
    """The robust findings and those that depend on a choice, one sentence each."""
    t = TEXT[lang]
    table = sens.table
    draws = draw_counts(sens)
    robust, depends = [], []
    key = ["figure", "measure", "group", "unit", "comparison"]
    mains = table[table["variant"] == MAIN]
    others = table[table["variant"] != MAIN]
    for main in mains.to_dict("records"):
        if main["suppressed"] == "True":
            continue
        rows = others[(others[key] == pd.Series({k: main[k] for k in key})).all(axis=1)]
        found = turned(rows, draws, t)
        if not found.decided:
            continue
        finding = finding_words(main, lang)
        changes = [t[c].format(variants=", ".join(names)) for c, names in
                   (("direction", found.direction), ("band", found.band)) if names]
        if changes:
            depends.append(t["moved"].format(finding=finding, changes="; ".join(changes)))
        else:
            robust.append(t["held"].format(finding=finding, k=found.decided,
                                           n=len(sens.variants)))
    return robust, depends


def draw_counts(sens: Sensitivity) -> dict[str, int]:
    """family -> number of draws run, for the families of draws."""
    out: dict[str, int] = {}
    for v in sens.variants:
        if v.get("draw"):
            out[v["family"]] = out.get(v["family"], 0) + 1
    return out


def spread_words(sens: Sensitivity, lang: str) -> list[str]:
    """Per family of draws: the spread of each shown headline number beside the main interval."""
    t, lab = TEXT[lang], labels(lang)
    table = sens.table
    out = []
    for family, n in draw_counts(sens).items():
        rows = table[(table["variant"] == family) & (table["spread_low"] != "")]
        items = [t["spread_item"].format(
            measure=measure_words(r["measure"], lang), group=lab.get(r["group"], r["group"]),
            low=shown(r["spread_low"], r["unit"], lang),
            high=shown(r["spread_high"], r["unit"], lang),
            ci_low=shown(r["ci_low"], r["unit"], lang) if r["ci_low"] else "\u2013",
            ci_high=shown(r["ci_high"], r["unit"], lang) if r["ci_high"] else "\u2013")
            for r in rows.to_dict("records") if r["group"] not in PROFILES]
        if items:
            out.append(t["spread"].format(n=n, family=family, items="; ".join(items)))
    return out


def intro(sens: Sensitivity, lang: str) -> str:
    t = TEXT[lang]
    run = len(sens.variants)
    only = (t["only"].format(n=run, declared=sens.record.get("declared", run))
            if sens.record.get("only") else "")
    return t["intro"].format(n=run, only=only)


def variant_rows(sens: Sensitivity) -> list[dict[str, str]]:
    return [{"name": v["name"], "family": v["family"], "description": v["description"]}
            for v in sens.variants]


def block(sens: Sensitivity, figures: dict[str, Path], lang: str) -> dict[str, Any]:
    """What the report's section shows (templates/sensitivity.html.j2)."""
    t = TEXT[lang]
    robust, depends = findings_words(sens, lang)
    return {"t": t, "intro": intro(sens, lang), "robust": robust, "depends": depends,
            "spread": spread_words(sens, lang), "variants": variant_rows(sens),
            "figures": [{"measure": measure_words(m, lang), "image": embed_png(p)}
                        for m, p in figures.items()]}


def markdown(sens: Sensitivity, figures: dict[str, Path], lang: str) -> str:
    """The section of report.md."""
    t = TEXT[lang]
    robust, depends = findings_words(sens, lang)

    def bullets(items: list[str]) -> list[str]:
        return [f"- {s}" for s in items] or [t["none"]]

    parts = [f"## {t['title']}", "", intro(sens, lang), "", f"### {t['robust']}", "",
             *bullets(robust), "", f"### {t['depends']}", "", *bullets(depends), "",
             *[f"{s}\n" for s in spread_words(sens, lang)],
             *[f"![{m}]({p.name})\n" for m, p in figures.items()],
             f"### {t['variants']}", "",
             f"| {t['variant']} | {t['family']} | {t['changes']} |", "| --- | --- | --- |",
             *[f"| {v['name']} | {v['family']} | {v['description']} |"
               for v in variant_rows(sens)], ""]
    return "\n".join(parts)


# --- the section of a statistics run -----------------------------------------------------------

@dataclass(frozen=True)
class Section:
    """The sensitivity section of report.md and report.html."""

    markdown: str
    block: dict[str, Any]


def section(writer: ResultsWriter, db: Path, seed: int, lang: str) -> Section | None:
    """The section of the results being written, when the sensitivity files in their folder
    belong to this warehouse, rule and seed (they are removed otherwise): the table joins the
    run's output check and its plots are drawn in the run's language."""
    from blsu_core.record import read_record

    record = read_record(Path(db))
    rules = writer.rules
    stamp = (Stamp(record.digest, rules.round_base, rules.min_cell, seed)
             if record is not None else None)
    sens = current(writer.results_dir, stamp)
    if sens is None:
        return None
    writer.adopt([writer.results_dir / name for name in FILES])
    figures = render(sens, writer, lang)
    return Section(markdown(sens, figures, lang), block(sens, figures, lang))
