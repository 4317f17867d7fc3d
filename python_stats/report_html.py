"""The report a researcher reads: results/report.html, one self-contained page (nl or en).

It opens with the headline findings in sentences, then per figure the figure itself, every
published number beside its reproduction on a small dot plot (95% interval as a line, the
reproduced value as a dot, the published value as an orange tick) and the significance
statements in words, then data quality and the methods: tests and their choice rules, the
disclosure rules, the vars in force and the raw files that fed the build.

Every number on the page comes from the disclosure-controlled tables (reproduction.csv, the
estimates tables, dq_findings.csv, the trajectory tables): the page adds words and drawings,
never a new number. The offender-profiles section also shows the trajectory model's figure,
its groups and the agreement of the estimated with the stated profiles.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from python_stats.disclosure import DisclosureRules
from python_stats.labels import labels, measure_label, unit_label
from python_stats.marts import GROUPS, OFFENDERS
from python_stats.measures import REFERENCE_GROUP
from python_stats.provenance import Provenance
from python_stats.report import TESTS_METHOD, RuleEffects
from python_stats.reproduction import (
    EXACT_BOUNDS,
    SUPPRESSED,
    Agreement,
    format_number,
    statement_holds,
    to_float,
)
from python_stats.trajectories import TrajectoryExport

TEMPLATES = Path(__file__).resolve().parent / "templates"
PLOT_WIDTH = 130
PLOT_HEIGHT = 16
SECTION_ORDER = ("sample", "profiles", "A1", "A2", "A3")

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Daders van binnenlandse seksuele uitbuiting: LVB en slachtofferschap",
        "subtitle": "Reproductie van de studie van de Nationaal Rapporteur (2024) uit de "
                    "warehouse-marts",
        "headlines": "Belangrijkste bevindingen",
        "traj_title": "Profielen geschat uit de OM-zaken naar leeftijd (trajectmodel, K = {k})",
        "traj_caption": "Verwacht aantal OM-zaken per jaar naar leeftijd per groep (lijn, met "
                        "95%-interval) en het waargenomen gemiddelde (punt), alleen waar ten "
                        "minste {min_cell} personen van de groep zijn waargenomen.",
        "traj_group": "Groep", "traj_profile": "Profiel", "traj_share": "Aandeel (%)",
        "traj_peak": "Piekleeftijd", "traj_range": "Leeftijden rond de piek",
        "traj_agreement": "Overeenstemming geschat en vastgesteld profiel",
        "traj_statistic": "Maat", "traj_value": "Waarde",
        "cohens_kappa": "Cohens kappa", "adjusted_rand_index": "Adjusted Rand-index",
        "cohens_kappa_range": "Cohens kappa (bereik)",
        "percent_agreement": "Overeenstemming (%)",
        "traj_withheld": "niet te tonen: een cel van de kruistabel telt minder dan {min_cell} "
                         "personen",
        "agreement": "{inside} van de {compared} gepubliceerde getallen met een gereproduceerd "
                     "95%-interval liggen binnen dat interval; {agreeing} van de {statements} "
                     "uitspraken over significantie kloppen ({same} in dezelfde p-waardeklasse). "
                     "{published} getallen zijn gepubliceerd; {numbers_withheld} getallen en "
                     "{statements_withheld} uitspraken zijn niet te tonen door de "
                     "geheimhoudingsregels.",
        "hl_A1": "Daders BL-SU hebben {blsu} keer zo vaak een LVB-indicatie als de "
                 "niet-criminele controlegroep; de criminele controlegroep {criminal_control} "
                 "keer zo vaak (gepubliceerd: {p_blsu} en {p_criminal_control}).",
        "hl_A2_any": "{blsu}% van de daders werd tussen {start} en {end} slachtoffer van een "
                     "delict, tegen {criminal_control}% van de criminele en "
                     "{noncriminal_control}% van de niet-criminele controlegroep "
                     "(gepubliceerd: {p_blsu}%, {p_criminal_control}% en "
                     "{p_noncriminal_control}%).",
        "hl_A2_recent": "{blsu}% van de daders werd slachtoffer in de {years} jaar vóór hun "
                        "eerste mensenhandelfeit (gepubliceerd: {p_blsu}%).",
        "hl_A2_mean": "Daders die slachtoffer werden, werden gemiddeld {blsu} keer slachtoffer, "
                      "tegen {criminal_control} en {noncriminal_control} keer in de criminele "
                      "en de niet-criminele controlegroep (gepubliceerd: {p_blsu}, "
                      "{p_criminal_control} en {p_noncriminal_control}).",
        "hl_A3": "Van de daders die slachtoffer werden, werd {blsu}% slachtoffer van geweld, "
                 "tegen {criminal_control}% en {noncriminal_control}% in de controlegroepen "
                 "(gepubliceerd: {p_blsu}%, {p_criminal_control}% en "
                 "{p_noncriminal_control}%).",
        "hl_suppressed": "{measure}: niet te tonen, want een van de groepen telt minder dan "
                         "{min_cell} personen (onthullingsbeheersing).",
        "sample": "Steekproef en controlegroepen", "profiles": "Daderprofielen",
        "comparison": "Gepubliceerd en gereproduceerd",
        "legend": "punt en lijn: gereproduceerd met 95%-interval; oranje streep: gepubliceerd",
        "measure": "Maat", "group": "Groep", "published": "Gepubli\u00adceerd",
        "reproduced": "Gerepro\u00adduceerd", "interval": "95%-interval", "status": "",
        "inside": "binnen", "outside": "buiten", "suppressed": "onderdrukt",
        "not_reproducible": "niet reprodu\u00adceerbaar", "reference": "referentie",
        "no_interval": "", "no_value": "\u2013",
        "significance": "Significantie",
        "statement": "{measure}, {subject}: gepubliceerd {published}, gereproduceerd "
                     "{reproduced}.",
        "agrees": "Klopt.", "disagrees": "Klopt niet.",
        "cmp_blsu": "daders tegenover de controlegroepen",
        "cmp_profiles": "de vier profielen onderling",
        "cmp_profile": "profiel {profile} tegenover de controlegroepen",
        "band_sig": "significant verschil (p < {p})",
        "band_ns": "geen significant verschil",
        "band_missing": "niet getoetst",
        "band_withheld": "niet te tonen (geheimhouding)", "withheld": "Niet te tonen.",
        "dq": "Datakwaliteit", "dq_none": "Geen bevindingen.",
        "dq_dataset": "Dataset", "dq_finding": "Bevinding", "dq_n": "Aantal records",
        "methods": "Methode",
        "tests": "Toetsen",
        "disclosure": "Onthullingsbeheersing",
        "disclosure_text": "Elke getoonde telling is afgerond op een veelvoud van {base}; cellen "
                           "die op minder dan {min_cell} personen rusten zijn onderdrukt, net "
                           "als de aandelen, gemiddelden, ratio's en toetsen die erop rusten. "
                           "Persoonsgegevens verlaten het warehouse niet.",
        "vars": "Parameters (dbt-vars)", "var": "Var", "value": "Waarde",
        "vars_cli": "opgegeven bij de build", "vars_default": "standaard",
        "files": "Bronbestanden", "files_none": "Het warehouse legt de bronbestanden niet "
                 "vast (gebouwd met een oudere versie); bouw het opnieuw.",
        "dataset": "Dataset", "used": "Gebruikt", "superseded": "Vervangen door een "
                   "nieuwere versie", "ignored": "Niet herkend",
        "software": "dbt {dbt}; toetsen met vaste seed {seed}.",
    },
    "en": {
        "title": "Offenders of domestic sexual exploitation: LVB and victimisation",
        "subtitle": "Reproduction of the National Rapporteur's study (2024) from the warehouse "
                    "marts",
        "headlines": "Headline findings",
        "agreement": "{inside} of the {compared} published numbers with a reproduced 95% "
                     "interval fall inside it; {agreeing} of the {statements} significance "
                     "statements agree ({same} in the same p-value band). {published} numbers "
                     "are published; {numbers_withheld} numbers and {statements_withheld} "
                     "statements could not be shown because of disclosure control.",
        "hl_A1": "BL-SU offenders have an LVB indication {blsu} times as often as the "
                 "non-criminal control group; the criminal control group {criminal_control} "
                 "times as often (published: {p_blsu} and {p_criminal_control}).",
        "hl_A2_any": "{blsu}% of the offenders were victims of an offence between {start} and "
                     "{end}, against {criminal_control}% of the criminal and "
                     "{noncriminal_control}% of the non-criminal control group (published: "
                     "{p_blsu}%, {p_criminal_control}% and {p_noncriminal_control}%).",
        "hl_A2_recent": "{blsu}% of the offenders were victims in the {years} years before their "
                        "first human-trafficking offence (published: {p_blsu}%).",
        "hl_A2_mean": "Offenders who were victims were victimised {blsu} times on average, "
                      "against {criminal_control} and {noncriminal_control} times in the "
                      "criminal and the non-criminal control group (published: {p_blsu}, "
                      "{p_criminal_control} and {p_noncriminal_control}).",
        "hl_A3": "Of the offenders who were victims, {blsu}% were victims of violence, against "
                 "{criminal_control}% and {noncriminal_control}% in the control groups "
                 "(published: {p_blsu}%, {p_criminal_control}% and {p_noncriminal_control}%).",
        "hl_suppressed": "{measure}: not shown, because one of the groups has fewer than "
                         "{min_cell} persons (disclosure control).",
        "traj_title": "Profiles estimated from the OM cases by age (trajectory model, K = {k})",
        "traj_caption": "Expected OM cases per year by age per group (line, with 95% interval) "
                        "and the observed mean (dot), only where at least {min_cell} persons "
                        "of the group are observed.",
        "traj_group": "Group", "traj_profile": "Profile", "traj_share": "Share (%)",
        "traj_peak": "Peak age", "traj_range": "Ages around the peak",
        "traj_agreement": "Agreement of estimated and stated profile",
        "traj_statistic": "Measure", "traj_value": "Value",
        "cohens_kappa": "Cohen's kappa", "adjusted_rand_index": "Adjusted Rand index",
        "cohens_kappa_range": "Cohen's kappa (range)",
        "percent_agreement": "Agreement (%)",
        "traj_withheld": "not shown: a cell of the cross table has fewer than {min_cell} "
                         "persons",
        "sample": "Sample and control groups", "profiles": "Offender profiles",
        "comparison": "Published and reproduced",
        "legend": "dot and line: reproduced with 95% interval; orange tick: published",
        "measure": "Measure", "group": "Group", "published": "Pub\u00adlished",
        "reproduced": "Repro\u00adduced", "interval": "95% interval", "status": "",
        "inside": "inside", "outside": "outside", "suppressed": "suppressed",
        "not_reproducible": "not repro\u00adducible", "reference": "reference",
        "no_interval": "", "no_value": "\u2013",
        "significance": "Significance",
        "statement": "{measure}, {subject}: published {published}, reproduced {reproduced}.",
        "agrees": "Agrees.", "disagrees": "Does not agree.",
        "cmp_blsu": "offenders against the control groups",
        "cmp_profiles": "the four profiles among each other",
        "cmp_profile": "profile {profile} against the control groups",
        "band_sig": "a significant difference (p < {p})",
        "band_ns": "no significant difference",
        "band_missing": "not tested",
        "band_withheld": "withheld by disclosure control", "withheld": "Withheld.",
        "dq": "Data quality", "dq_none": "No findings.",
        "dq_dataset": "Dataset", "dq_finding": "Finding", "dq_n": "Records",
        "methods": "Methods",
        "tests": "Tests",
        "disclosure": "Disclosure control",
        "disclosure_text": "Every count shown is rounded to a multiple of {base}; cells resting "
                           "on fewer than {min_cell} persons are suppressed, and so are the "
                           "shares, means, ratios and tests built on them. Person-level data "
                           "never leave the warehouse.",
        "vars": "Parameters (dbt vars)", "var": "Var", "value": "Value",
        "vars_cli": "given to the build", "vars_default": "default",
        "files": "Raw files", "files_none": "The warehouse does not record its raw files "
                 "(built by an older version); build it again.",
        "dataset": "Dataset", "used": "Used", "superseded": "Superseded by a newer version",
        "ignored": "Not recognised",
        "software": "dbt {dbt}; tests with the fixed seed {seed}.",
    },
}

METHODS_NL = (
    "Aandelen worden vergeleken met Pearsons chi-kwadraattoets (zonder continuïteitscorrectie) "
    "als elke verwachte celfrequentie minstens 5 is, anders met Fishers exacte toets (2 x 2) of "
    "Fishers r x c-toets met een Monte-Carlo-p-waarde met vaste seed (9999 tabellen). "
    "Gemiddelden worden vergeleken met Welchs t-toets (paren) en Welchs eenweg-ANOVA (drie of "
    "vier groepen). Een gepubliceerde uitspraak over daders (of een profiel) tegenover de "
    "controlegroepen staat naast de omnibustoets van de drie groepen; uitspraken over de "
    "profielen naast de toets van de vier profielen. Holm-gecorrigeerde p-waarden van de "
    "paarsgewijze toetsen staan in tests.csv. Intervallen: Wilson voor aandelen, Wald op "
    "logschaal voor prevalentieratio's, t voor gemiddelden, Wilson maal n voor aantallen, een "
    "percentiel-bootstrap met vaste seed voor het aandeel van een profiel in alle zaken."
)

STYLE_GROUPS = ("pct", "pct_of_blsu", "pct_of_cases")


@dataclass(frozen=True)
class ReportInput:
    """Everything the page is made of: controlled tables, the run's settings, the provenance."""

    reproduction: pd.DataFrame
    agreement: Agreement
    dq: pd.DataFrame
    rules: DisclosureRules
    lang: str
    seed: int
    figures: dict[str, Path]
    provenance: Provenance = field(default_factory=Provenance)
    trajectory: TrajectoryExport | None = None
    effects: RuleEffects | None = None
    sensitivity: dict[str, Any] | None = None  # python_stats.sensitivity_report.block


def number(value: float | str, places: int, lang: str) -> str:
    """A number as the report writes it: half-up to `places`, decimal comma in Dutch."""
    text = format_number(float(value), places) if not isinstance(value, str) else value
    return text.replace(".", ",") if lang == "nl" else text


def places_of(unit: str) -> int:
    """Decimals shown for an interval bound: percentages and persons 0, others 1."""
    return 0 if unit.startswith("pct") or unit == "persons" else 1


def is_missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


# --- the dot plots ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Scale:
    """A linear x scale from `low` to `high` over the plot width."""

    low: float
    high: float

    def x(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return round(4 + (value - self.low) / span * (PLOT_WIDTH - 8), 1)

    def ticks(self) -> list[float]:
        step = nice_step((self.high - self.low) / 4)
        first = math.ceil(self.low / step) * step
        return [first + i * step for i in range(int((self.high - first) / step + 1e-9) + 1)]


def nice_step(raw: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `raw`."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def scale_for(rows: list[dict[str, Any]]) -> Scale:
    """A scale holding every interval, reproduced and published value of the rows, from 0."""
    values = [v for r in rows for v in (r["low"], r["high"], r["value"], r["published_value"])
              if not is_missing(v)]
    high = max(values, default=1.0)
    step = nice_step(high / 4)
    return Scale(0.0, math.ceil(high / step) * step or 1.0)


def dot_plot(row: dict[str, Any], scale: Scale) -> str:
    """One row's plot: the interval as a line, the reproduced value a dot, published a tick."""
    mid = PLOT_HEIGHT / 2
    parts = [f'<line class="axis" x1="4" x2="{PLOT_WIDTH - 4}" y1="{mid}" y2="{mid}"/>']
    if not is_missing(row["low"]) and not is_missing(row["high"]):
        x1, x2 = scale.x(row["low"]), scale.x(row["high"])
        parts.append(f'<line class="ci" x1="{x1}" x2="{x2}" y1="{mid}" y2="{mid}"/>')
        parts += [f'<line class="ci" x1="{x}" x2="{x}" y1="{mid - 3}" y2="{mid + 3}"/>'
                  for x in (x1, x2)]
    if not is_missing(row["published_value"]):
        x = scale.x(row["published_value"])
        parts.append(f'<line class="pub" x1="{x}" x2="{x}" y1="0" y2="{PLOT_HEIGHT}"/>')
    if not is_missing(row["value"]):
        parts.append(f'<circle class="dot" cx="{scale.x(row["value"])}" cy="{mid}" r="3"/>')
    return svg(parts, PLOT_HEIGHT)


def axis(scale: Scale, lang: str) -> str:
    """The tick labels above a plot column."""
    parts = []
    for tick in scale.ticks():
        x = scale.x(tick)
        label = number(tick, 0 if float(tick).is_integer() else 1, lang)
        parts.append(f'<text x="{x}" y="10" text-anchor="middle">{label}</text>')
        parts.append(f'<line class="tick" x1="{x}" x2="{x}" y1="12" y2="16"/>')
    return svg(parts, 16)


def svg(parts: Iterable[str], height: int) -> str:
    return (f'<svg class="plot" width="{PLOT_WIDTH}" height="{height}" '
            f'viewBox="0 0 {PLOT_WIDTH} {height}" role="img">{"".join(parts)}</svg>')


# --- rows, tables and statements --------------------------------------------------------------

def status_of(rep: pd.Series, t: dict[str, str]) -> str:
    """Inside, outside, suppressed, not reproducible or reference, in words."""
    note = str(rep["note"]) if not is_missing(rep["note"]) else ""
    if note.startswith("not reproducible"):
        return t["not_reproducible"]
    if note.startswith("suppressed"):
        return t["suppressed"]
    if note == "reference group":
        return t["reference"]
    if isinstance(rep["inside_ci"], bool):
        return t["inside"] if rep["inside_ci"] else t["outside"]
    if str(rep["inside_ci"]) in ("True", "False"):
        return t["inside"] if str(rep["inside_ci"]) == "True" else t["outside"]
    return ""


def comparison_rows(rep: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """One row per published number of a section, with everything its table line shows."""
    t, lab = TEXT[lang], labels(lang)
    rows = []
    for _, r in rep.iterrows():
        if r["unit"] == "test":
            continue
        places = places_of(r["unit"])
        value = to_float(str(r["reproduced"])) if not is_missing(r["reproduced"]) else math.nan
        # drawn at the table's bounds (reproduction.csv); written rounded once from the
        # unrounded bounds, never from the table's already rounded ones. A count's bounds are
        # counts: written as the table rounds them, outwards to the rounding base
        low, high = float(r["ci_low"]), float(r["ci_high"])
        exact_low, exact_high = (low, high) if r["unit"] == "persons" else (
            float(r.get(c, r[c.removesuffix("_exact")])) for c in EXACT_BOUNDS)
        interval = ("" if math.isnan(exact_low) or math.isnan(exact_high) else
                    f"{number(exact_low, places, lang)}\u2013"
                    f"{number(exact_high, places, lang)}")
        unit = unit_label(r["unit"], lang)
        rows.append({
            "measure": measure_label(r["measure"], lang), "unit": unit, "unit_code": r["unit"],
            "group": lab.get(r["group"], r["group"]),
            "published": number(str(r["value"]), 0, lang) if str(r["value"]) else t["no_value"],
            "reproduced": (number(str(r["reproduced"]), 0, lang) if not is_missing(r["reproduced"])
                           else t["no_value"]),
            "interval": interval, "status": status_of(r, t), "value": value,
            "low": low, "high": high, "published_value": to_float(str(r["value"])),
            "outside": status_of(r, t) == t["outside"],
        })
    return rows


def unit_tables(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The rows of a section split by unit (percentages together), each with its own scale."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = "pct" if row["unit_code"] in STYLE_GROUPS else row["unit_code"]
        tables.setdefault(key, []).append(row)
    out = []
    for key, members in tables.items():
        scale = scale_for(members)
        previous = None
        for row in members:
            row["plot"] = dot_plot(row, scale)
            row["first"] = row["measure"] != previous
            previous = row["measure"]
        out.append({"unit": unit_label(key, lang), "axis": axis(scale, lang), "rows": members})
    return out


def subject_words(comparison: str, t: dict[str, str], lab: dict[str, str]) -> str:
    """'daders tegenover de controlegroepen', 'de vier profielen onderling', ..."""
    if comparison == "blsu vs controls":
        return t["cmp_blsu"]
    if comparison == "profiles":
        return t["cmp_profiles"]
    profile = comparison.removesuffix(" vs controls")
    return t["cmp_profile"].format(profile=lab.get(profile, profile))


def band_words(band: str, t: dict[str, str], lang: str) -> str:
    """'significant (p < 0,01)', 'niet significant' or 'niet getoetst'."""
    if band in ("", "not tested"):
        return t["band_missing"]
    if band == SUPPRESSED:
        return t["band_withheld"]
    if band == "n.s.":
        return t["band_ns"]
    p = band.lstrip("<")
    return t["band_sig"].format(p=p.replace(".", ",") if lang == "nl" else p)


def pairs(text: str) -> list[tuple[str, str]]:
    """'blsu vs controls: <0.01; profiles: n.s.' as (comparison, band) pairs."""
    out = []
    for part in str(text).split("; "):
        comparison, _, band = part.partition(": ")
        out.append((comparison.strip(), band.strip()))
    return out


def statements(rep: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The section's significance statements in words, one per published statement.

    Whether a statement agrees is decided by the reproduction's own rule (statement_holds).
    """
    t, lab = TEXT[lang], labels(lang)
    out = []
    for _, r in rep.iterrows():
        if is_missing(r["published_significance"]):
            continue
        reproduced = dict(pairs(r["reproduced_band"]))
        for comparison, band in pairs(r["published_significance"]):
            found = reproduced.get(comparison, "")
            agrees = statement_holds(band, found)
            verdict = (t["withheld"] if found == SUPPRESSED
                       else t["agrees"] if agrees else t["disagrees"])
            out.append({
                "text": t["statement"].format(
                    measure=measure_label(r["measure"], lang),
                    subject=subject_words(comparison, t, lab),
                    published=band_words(band, t, lang), reproduced=band_words(found, t, lang)),
                "agrees": agrees, "verdict": verdict,
                "state": ("withheld" if found == SUPPRESSED
                          else "agrees" if agrees else "disagrees"),
            })
    return out


# --- headlines ---------------------------------------------------------------------------------

HEADLINES = (
    ("hl_A1", "A1", "lvb_ratio_vs_noncriminal",
     tuple(g for g in GROUPS if g != REFERENCE_GROUP)),
    ("hl_A2_any", "A2", "victim_any_2010_2023", GROUPS),
    ("hl_A2_recent", "A2", "victim_recent_3y_before_first_ht", (OFFENDERS,)),
    ("hl_A2_mean", "A2", "mean_victimisations_among_victims", GROUPS),
    ("hl_A3", "A3", "victim_type_pct_among_victims_geweld", GROUPS),
)


def headlines(data: ReportInput) -> list[str]:
    """The headline findings: agreement with the publication, then the study's main numbers."""
    t, agree, lang = TEXT[data.lang], data.agreement, data.lang
    out = [t["agreement"].format(
        inside=agree.numbers_inside, compared=agree.numbers_compared,
        agreeing=agree.statements_agreeing, statements=agree.statements,
        same=agree.statements_same_band, published=agree.numbers_published,
        numbers_withheld=agree.numbers_suppressed,
        statements_withheld=agree.statements_suppressed)]
    rep = data.reproduction
    window = data.provenance.vars
    extra = {"start": str(window.get("victim_window_start", "2010"))[:4],
             "end": str(window.get("victim_window_end", "2023"))[:4],
             "years": window.get("recent_lookback_years", 3)}
    for key, figure, measure, groups in HEADLINES:
        found = rep[(rep["figure"] == figure) & (rep["measure"] == measure)]
        by_group = {g: r for g, r in zip(found["group"], found.to_dict("records"), strict=True)}
        if any(g not in by_group for g in groups):
            continue
        values = {}
        for g in groups:
            row = by_group[g]
            values[g] = "" if is_missing(row["reproduced"]) else number(
                str(row["reproduced"]), 0, lang)
            values[f"p_{g}"] = number(str(row["value"]), 0, lang)
        if any(values[g] == "" for g in groups):
            out.append(t["hl_suppressed"].format(measure=measure_label(measure, lang),
                                                 min_cell=data.rules.min_cell))
        else:
            out.append(t[key].format(**values, **extra))
    return out


# --- the page ------------------------------------------------------------------------------------

def section_title(figure: str, lang: str) -> str:
    lab, t = labels(lang), TEXT[lang]
    return lab.get(f"{figure}_title") or t.get(figure) or figure


def sections(data: ReportInput) -> list[dict[str, Any]]:
    """One section per figure of the publication, in the order of the published rows."""
    rep = data.reproduction
    figures = [f for f in SECTION_ORDER if f in set(rep["figure"])]
    figures += [f for f in dict.fromkeys(rep["figure"]) if f not in figures]
    out = []
    for figure in figures:
        part = rep[rep["figure"] == figure]
        image = data.figures.get(figure)
        out.append({
            "id": figure, "title": section_title(figure, data.lang),
            "image": embed_png(image) if image else None,
            "tables": unit_tables(comparison_rows(part, data.lang), data.lang),
            "statements": statements(part, data.lang),
            "trajectory": trajectory_block(data) if figure == "profiles" else None,
        })
    return out


def trajectory_block(data: ReportInput) -> dict[str, Any] | None:
    """The trajectory model in the profiles section: figure, groups and agreement, all from
    the controlled trajectory tables (withheld numbers read as withheld)."""
    tr = data.trajectory
    if tr is None:
        return None
    t, lab, lang, min_cell = TEXT[data.lang], labels(data.lang), data.lang, data.rules.min_cell
    groups = [{"group": int(r["group"]), "profile": lab.get(r["profile"], r["profile"]),
               "share": "" if is_missing(r["share_pct"]) else number(r["share_pct"], 1, lang),
               "peak": "" if is_missing(r["peak_age"]) else number(r["peak_age"], 0, lang),
               "range": r["peak_age_range"] or ""}
              for r in tr.groups.to_dict("records")]
    agreement = []
    for r in tr.agreement.to_dict("records"):
        places = 0 if r["statistic"] == "percent_agreement" else 2
        if is_missing(r["value"]) and not is_missing(r["ci_low"]):
            value = f"{number(r['ci_low'], places, lang)} - {number(r['ci_high'], places, lang)}"
        elif is_missing(r["value"]):
            value = t["traj_withheld"].format(min_cell=min_cell)
        else:
            value = number(r["value"], places, lang)
            if not is_missing(r["ci_low"]):
                value += (f" ({number(r['ci_low'], places, lang)} - "
                          f"{number(r['ci_high'], places, lang)})")
        agreement.append({"statistic": t.get(r["statistic"], r["statistic"]), "value": value})
    return {"title": t["traj_title"].format(k=tr.n_groups),
            "caption": t["traj_caption"].format(min_cell=min_cell),
            "image": embed_png(tr.figure) if tr.figure.exists() else None,
            "groups": groups, "agreement": agreement}


def embed_png(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def var_rows(provenance: Provenance, lang: str) -> list[dict[str, str]]:
    t = TEXT[lang]
    return [{"name": name, "value": ", ".join(map(str, value)) if isinstance(value, list)
             else str(value),
             "source": t["vars_cli"] if name in provenance.cli_vars else t["vars_default"]}
            for name, value in provenance.vars.items()]


def file_rows(provenance: Provenance) -> list[dict[str, str]]:
    """Per dataset the files used, superseded and not recognised, as compact lists."""
    datasets: dict[str, dict[str, list[str]]] = {}
    for f in provenance.files:
        kind = f.status if f.status in ("used", "superseded") else "ignored"
        datasets.setdefault(f.dataset, {"used": [], "superseded": [], "ignored": []})
        datasets[f.dataset][kind].append(f.file_name)
    return [{"dataset": name, **{k: ", ".join(v) for k, v in kinds.items()}}
            for name, kinds in datasets.items()]


def dq_rows(dq: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    return [{"dataset": r["dataset"], "finding": r["finding"],
             "n": "" if is_missing(r["n_records"]) else number(float(r["n_records"]), 0, lang)}
            for r in dq.to_dict("records")]


def build_html(data: ReportInput) -> str:
    """The report as one HTML page with its figures and styles inlined."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             trim_blocks=True, lstrip_blocks=True)
    t = TEXT[data.lang]
    rules = data.rules
    return env.get_template("report.html.j2").render(
        lang=data.lang, t=t, css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        headlines=headlines(data), sections=sections(data), dq=dq_rows(data.dq, data.lang),
        methods=METHODS_NL if data.lang == "nl" else TESTS_METHOD,
        disclosure=t["disclosure_text"].format(base=rules.round_base, min_cell=rules.min_cell)
        + " " + (data.effects or RuleEffects()).sentence(data.lang),
        vars=var_rows(data.provenance, data.lang), files=file_rows(data.provenance),
        recorded=data.provenance.recorded,
        software=t["software"].format(dbt=data.provenance.dbt_version or "?", seed=data.seed),
        markup=jinja2.filters.Markup, sensitivity=data.sensitivity,
    )
