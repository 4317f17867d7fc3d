"""The statistics run: marts in, disclosure-controlled results out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from python_stats.balance import balance_table
from python_stats.comparisons import all_comparisons, tests_table
from python_stats.disclosure import DisclosureRules
from python_stats.export import DisclosureError, ResultsWriter
from python_stats.figures import FIGURES, render_figures
from python_stats.labels import labels
from python_stats.magnitudes import PersonData
from python_stats.marts import Marts, load_marts
from python_stats.measures import all_estimates
from python_stats.output_check import (
    REPORT_NAME,
    Verdict,
    check_files,
    findings,
    lines,
    write_report,
)
from python_stats.provenance import Provenance, read_provenance
from python_stats.report import RuleEffects, build_markdown, summary_line
from python_stats.report_html import ReportInput, build_html
from python_stats.reproduction import (
    Agreement,
    agreement,
    read_published,
    reproduction_table,
    written,
)
from python_stats.sensitivity_report import Section, section
from python_stats.tables import estimates_table, exported
from python_stats.trajectories import (
    TrajectoryMarts,
    load_trajectories,
    peak_age_ranges,
    write_trajectory_results,
)

SEED_VAR = "matching_seed"  # the study's seed, also of the Monte Carlo tests and bootstrap

FIGURE_TABLES = {"A1": "table_A1.csv", "A2": "table_A2.csv", "A3": "table_A3.csv",
                 "profiles": "table_profiles.csv", "sample": "table_sample.csv"}


@dataclass(frozen=True)
class Summary(Agreement):
    """What a run produced and how well it reproduces the publication (the agreement counts,
    inherited, plus the run's outputs)."""

    results_dir: Path
    n_tests: int
    files: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        """The report's summary sentence."""
        return summary_line(self)


def run(
    db_path: Path,
    results_dir: Path,
    *,
    lang: str = "nl",
    round_base: int | None = None,
    min_cell: int | None = None,
    seed: int | None = None,
    progress: bool = True,
    draw: bool = True,
) -> Summary:
    """Read the marts, compute every measure and test, write results/ and return a summary.

    The disclosure parameters default to the dbt vars (python_stats.disclosure), the seed to
    the dbt var matching_seed (the study's seed) of the warehouse's build. `draw=False` leaves
    the figures and the HTML page out (every table, test, the reproduction, report.md and the
    output check still run).
    """
    rules = DisclosureRules.from_project(round_base, min_cell)
    lab = labels(lang)
    steps = tqdm(total=6, desc="statistics", disable=not progress)
    marts = load_marts(Path(db_path))
    provenance = read_provenance(Path(db_path))
    seed = int(provenance.vars[SEED_VAR]) if seed is None else seed
    trajectories = load_trajectories(Path(db_path))
    steps.update()
    writer = ResultsWriter(Path(results_dir), rules)
    sensitivity = section(writer, Path(db_path), seed, lang)
    table = estimates_table(all_estimates(marts.persons, marts.careers, seed, rules), rules)
    figures_written = render_figures(exported(table), lab, rules.min_cell, writer.results_dir,
                                     rules) if draw else []
    steps.update()
    summary = finish(marts, table, figures_written, writer, lang, seed, steps, provenance,
                     trajectories, draw, sensitivity)
    steps.close()
    return summary


def finish(marts: Marts, table: pd.DataFrame, figures_written: list[Path],
           writer: ResultsWriter, lang: str, seed: int, steps: tqdm,
           provenance: Provenance | None = None,
           trajectories: TrajectoryMarts | None = None, draw: bool = True,
           sensitivity: Section | None = None) -> Summary:
    """Everything after the estimates: tests, tables, the figures' files, report, summary."""

    rules = writer.rules
    round_base, min_cell = rules.round_base, rules.min_cell
    tests = tests_table(all_comparisons(marts.persons, marts.careers, seed, rules), table)
    steps.update()
    balance = balance_table(marts.persons, rules)
    peak_ranges = peak_age_ranges(trajectories, rules) if trajectories else None
    reproduction = reproduction_table(read_published(), table, tests, peak_ranges)
    agree = agreement(reproduction)
    steps.update()
    for figure, name in FIGURE_TABLES.items():
        writer.table(exported(table[table["figure"] == figure]).reset_index(drop=True), name)
    writer.table(tests, "tests.csv")
    writer.table(balance, "balance.csv")
    writer.table(written(reproduction), "reproduction.csv")
    trajectory_export = (write_trajectory_results(trajectories, writer, lang, draw,
                                                  shown_profile_sizes(table))
                         if trajectories is not None else None)
    dq = controlled_dq(marts.dq, rules)
    writer.table(dq, "dq_findings.csv")
    verdicts = output_check(writer, PersonData(
        marts.persons, marts.careers, trajectories.person_ages if trajectories else None))
    effects = RuleEffects.of(verdicts, trajectory_export)
    writer.adopt(figures_written)
    names = [name for name, _ in FIGURES]
    steps.update()
    md_text = build_markdown(reproduction, agree, dq, round_base, min_cell, names, effects)
    writer.text(md_text + (sensitivity.markdown if sensitivity else ""), "report.md")
    report = ReportInput(reproduction, agree, dq, rules, lang, seed,
                         {name: writer.results_dir / f"{name}.png" for name in names}
                         if draw else {},
                         provenance or Provenance(), trajectory_export, effects,
                         sensitivity.block if sensitivity else None)
    if draw:
        writer.text(build_html(report), "report.html")
    summary = Summary(results_dir=writer.results_dir, n_tests=len(tests),
                      files=sorted({p.name for p in writer.written} | {"summary.json"}),
                      **asdict(agree))
    writer.json({**asdict(agree), "summary": summary_line(agree), "tests": len(tests),
                 "round_base": round_base, "min_cell": min_cell, "seed": seed, "lang": lang},
                "summary.json")
    steps.update()
    return summary


def shown_profile_sizes(table: pd.DataFrame) -> dict[str, float]:
    """The stated profiles' sizes as table_profiles.csv shows them (withheld ones left out)."""
    rows = table[(table["figure"] == "profiles") & (table["measure"] == "share")
                 & table["n_events"].notna()]
    return {str(g): float(n) for g, n in zip(rows["group"], rows["n_events"], strict=True)}


def output_check(writer: ResultsWriter, person_data: PersonData) -> list[Verdict]:
    """Check every table this run wrote, its magnitudes against the person-level marts it read,
    and write output_check.csv; refuse on a finding."""
    tables = [p for p in writer.written if p.suffix == ".csv"]
    verdicts = check_files(tables, writer.rules, person_data)
    if findings(verdicts):
        raise DisclosureError("output check: " + "; ".join(lines(verdicts)))
    writer.adopt([write_report(verdicts, writer.results_dir / REPORT_NAME)])
    return verdicts


def controlled_dq(dq: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """Data-quality findings: record counts zero, rounded to the base, or suppressed (empty)
    below the minimum cell size."""
    out = dq[["dataset", "finding"]].copy()
    out["n_records"] = [rules.record_count(float(x)) for x in dq["n_records"]]
    return out.sort_values(["dataset", "finding"]).reset_index(drop=True)
