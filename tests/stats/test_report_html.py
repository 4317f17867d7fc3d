"""The HTML report: sentences, labels, dot plots and methods from hand-made reproduction rows."""

from __future__ import annotations

import math
import re

import pandas as pd

from python_stats.disclosure import DisclosureRules
from python_stats.provenance import Provenance, RawFile
from python_stats.report_html import (
    ReportInput,
    Scale,
    build_html,
    comparison_rows,
    dot_plot,
    headlines,
    statements,
    unit_tables,
)
from python_stats.reproduction import Agreement

AGREE = Agreement(numbers_inside=2, numbers_compared=3, numbers_published=5,
                  statements_agreeing=1, statements=2, statements_same_band=1,
                  numbers_suppressed=0, statements_suppressed=1)


def rep_row(figure: str, measure: str, group: str, value: str, unit: str, reproduced: str,
            low: float = math.nan, high: float = math.nan, inside: object = "", note: str = "",
            published_significance: str = "", reproduced_band: str = "",
            agrees: object = "") -> dict[str, object]:
    return {"figure": figure, "measure": measure, "group": group, "value": value, "unit": unit,
            "reproduced": reproduced, "ci_low": low, "ci_high": high, "inside_ci": inside,
            "note": note, "published_significance": published_significance,
            "reproduced_band": reproduced_band, "agrees": agrees}


REPRODUCTION = pd.DataFrame([
    rep_row("A1", "lvb_ratio_vs_noncriminal", "blsu", "3.6", "ratio", "3.5", 1.93, 6.48, True,
            published_significance="blsu vs controls: <0.01",
            reproduced_band="blsu vs controls: <0.001", agrees=True),
    rep_row("A1", "lvb_ratio_vs_noncriminal", "criminal_control", "2.3", "ratio", "2.2", 1.13,
            4.12, True),
    rep_row("A1", "lvb_ratio_vs_noncriminal", "laat_piek", "", "ratio", "",
            note="suppressed: fewer than 10 persons",
            published_significance="laat_piek vs controls: n.s.",
            reproduced_band="laat_piek vs controls: <0.05", agrees=False),
    rep_row("A2", "victim_any_2010_2023", "blsu", "74", "pct", "", note="suppressed: fewer "
            "than 10 persons"),
    rep_row("A2", "victim_any_2010_2023", "criminal_control", "60", "pct", "65", 61.0, 68.4,
            False),
    rep_row("A2", "victim_any_2010_2023", "noncriminal_control", "42", "pct", "39", 35.6, 43.2,
            True),
])


def report_input(lang: str = "nl") -> ReportInput:
    provenance = Provenance(
        files=[RawFile("SLOAANG", "SLOAANG2015CBKV1.parquet", 2015, 1, "superseded"),
               RawFile("SLOAANG", "SLOAANG2015CBKV2.parquet", 2015, 2, "used")],
        vars={"victim_window_start": "2010-01-01", "victim_window_end": "2024-12-31",
              "matching_seed": 7},
        cli_vars={"victim_window_end": "2024-12-31"}, dbt_version="1.11.16")
    dq = pd.DataFrame({"dataset": ["SLOAANG"], "finding": ["records not linkable"],
                       "n_records": [60.0]})
    return ReportInput(REPRODUCTION, AGREE, dq, DisclosureRules(5, 10), lang, 20240201, {},
                       provenance)


def test_headlines_say_the_agreement_and_the_ratio_in_dutch_with_decimal_commas() -> None:
    lines = headlines(report_input("nl"))
    assert lines[0].startswith("2 van de 3 gepubliceerde getallen")
    assert lines[1] == (
        "Daders BL-SU hebben 3,5 keer zo vaak een LVB-indicatie als de niet-criminele "
        "controlegroep; de criminele controlegroep 2,2 keer zo vaak (gepubliceerd: 3,6 en 2,3).")


def test_a_headline_resting_on_a_suppressed_cell_says_so_instead_of_a_number() -> None:
    lines = headlines(report_input("en"))
    assert lines[2] == ("Victim 2010-2023: not shown, because one of the groups has fewer "
                        "than 10 persons (disclosure control).")


def test_rows_carry_human_labels_intervals_and_status() -> None:
    rows = comparison_rows(REPRODUCTION[REPRODUCTION["figure"] == "A2"], "en")
    assert [r["group"] for r in rows] == [
        "BL-SU offenders", "Criminal control group", "Non-criminal control group"]
    assert rows[0]["measure"] == "Victim 2010-2023"
    assert (rows[0]["reproduced"], rows[0]["status"]) == ("\u2013", "suppressed")
    assert (rows[1]["interval"], rows[1]["status"]) == ("61\u201368", "outside")
    assert rows[1]["outside"] is True


def test_the_dot_plot_puts_interval_dot_and_published_tick_on_one_scale() -> None:
    scale = Scale(0.0, 100.0)
    row = {"low": 61.0, "high": 68.4, "value": 65.0, "published_value": 60.0}
    plot = dot_plot(row, scale)
    assert f'x1="{scale.x(61.0)}" x2="{scale.x(68.4)}"' in plot
    assert f'cx="{scale.x(65.0)}"' in plot
    assert f'class="pub" x1="{scale.x(60.0)}"' in plot
    assert scale.x(0) == 4 and scale.x(100) == 126


def test_each_unit_gets_its_own_table_and_scale_from_zero() -> None:
    rows = comparison_rows(REPRODUCTION, "nl")
    tables = unit_tables(rows, "nl")
    assert [t["unit"] for t in tables] == ["\u00d7", "%"]
    assert '>0</text>' in tables[1]["axis"] and '>80</text>' in tables[1]["axis"]


def test_statements_in_words_use_the_reproduction_rule_of_agreement() -> None:
    said = statements(REPRODUCTION[REPRODUCTION["figure"] == "A1"], "en")
    assert [s["agrees"] for s in said] == [True, False]
    assert said[0]["text"] == (
        "LVB indication, times as often as non-criminal controls, offenders against the control "
        "groups: published a significant difference (p < 0.01), reproduced a significant "
        "difference (p < 0.001).")
    assert "profile Late peak against the control groups: published no significant difference"\
        in said[1]["text"]


def test_the_page_lists_vars_in_force_and_the_raw_files_and_has_no_remote_resources() -> None:
    html = build_html(report_input("en"))
    assert '<html lang="en">' in html
    assert re.search(r"<code>victim_window_end</code></td><td>2024-12-31</td>"
                     r"<td class=\"status\">given to the build", html)
    assert "<td>SLOAANG2015CBKV2.parquet</td><td>SLOAANG2015CBKV1.parquet</td>" in html
    assert "dbt 1.11.16" in html
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert "&#34;" not in html.split("</style>")[0]


def test_a_statement_whose_test_is_withheld_says_withheld_not_disagrees() -> None:
    row = rep_row("A1", "lvb_ratio_vs_noncriminal", "incidenteel", "", "ratio", "",
                  published_significance="incidenteel vs controls: n.s.",
                  reproduced_band="incidenteel vs controls: suppressed", agrees=False)
    said = statements(pd.DataFrame([row]), "en")
    assert said[0]["state"] == "withheld"
    assert said[0]["verdict"] == "Withheld."
    assert said[0]["text"].endswith("reproduced withheld by disclosure control.")


def test_the_headline_counts_what_disclosure_control_withholds() -> None:
    assert headlines(report_input("en"))[0].endswith(
        "0 numbers and 1 statements could not be shown because of disclosure control.")


def trajectory_export(tmp_path, agreement_values: list[float]):
    from python_stats.trajectories import TrajectoryExport

    groups = pd.DataFrame({"group": [1, 2], "profile": ["vroeg_piek", "laat_piek"],
                           "share_pct": [60.2, 39.8], "peak_age": [19.0, 27.0],
                           "peak_age_range": ["15-22", "22-33"]})
    agreement = pd.DataFrame({
        "statistic": ["cohens_kappa", "adjusted_rand_index", "percent_agreement"],
        "value": agreement_values, "ci_low": [0.71 if agreement_values[0] == 0.78
                                              else math.nan, math.nan, math.nan],
        "ci_high": [0.85 if agreement_values[0] == 0.78 else math.nan, math.nan, math.nan]})
    png = tmp_path / "trajectories.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    return TrajectoryExport(2, groups, agreement, png)


def profiles_input(tr, lang: str = "en") -> ReportInput:
    rep = pd.concat([REPRODUCTION, pd.DataFrame([rep_row(
        "profiles", "share", "vroeg_piek", "28", "pct", "27", 24.0, 31.0, True)])])
    base = report_input(lang)
    return ReportInput(rep, base.agreement, base.dq, base.rules, lang, base.seed, {},
                       base.provenance, tr)


def test_the_profiles_section_shows_the_trajectory_groups_and_agreement(tmp_path) -> None:
    page = build_html(profiles_input(trajectory_export(tmp_path, [0.78, 0.62, 86.0])))
    section = page[page.index('id="profiles"'):]
    assert "trajectory model, K = 2" in section
    assert "<td>Early peak</td>" in section and "<td>Late peak</td>" in section
    assert "<td>Cohen&#39;s kappa</td><td class=\"num\">0.78 (0.71 - 0.85)</td>" in section
    assert "<td>Adjusted Rand index</td><td class=\"num\">0.62</td>" in section
    assert "<td>Agreement (%)</td><td class=\"num\">86</td>" in section
    assert "data:image/png;base64," in section


def test_withheld_agreement_reads_as_withheld_in_dutch(tmp_path) -> None:
    tr = trajectory_export(tmp_path, [math.nan, math.nan, math.nan])
    page = build_html(profiles_input(tr, "nl"))
    assert page.count("niet te tonen: een cel van de kruistabel telt minder dan 10") == 3
    assert "<td>Vroeg piek</td>" in page


def test_a_range_of_kappa_reads_as_a_range(tmp_path) -> None:
    tr = trajectory_export(tmp_path, [math.nan, math.nan, math.nan])
    agreement = pd.concat([tr.agreement, pd.DataFrame([{
        "statistic": "cohens_kappa_range", "value": math.nan, "ci_low": 0.41, "ci_high": 0.93}])])
    page = build_html(profiles_input(type(tr)(2, tr.groups, agreement, tr.figure)))
    assert "<td>Cohen&#39;s kappa (range)</td><td class=\"num\">0.41 - 0.93</td>" in page
