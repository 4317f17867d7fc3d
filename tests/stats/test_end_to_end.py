"""End-to-end runs on the simulated warehouse: outputs, determinism and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from fixture_db import person, write_marts

from python_stats import run
from python_stats.cli import main
from python_stats.export import COUNT_PATTERN

EXPECTED_FILES = {
    "table_A1.csv", "table_A2.csv", "table_A3.csv", "table_profiles.csv", "table_sample.csv",
    "tests.csv", "balance.csv", "reproduction.csv", "dq_findings.csv", "summary.json",
    "output_check.csv",
    "report.md", "report.html", *(f"A{i}.{ext}" for i in (1, 2, 3) for ext in ("png", "svg")),
}


def test_run_writes_every_result_file(simulated_run) -> None:
    summary, results = simulated_run
    assert {p.name for p in results.iterdir()} == EXPECTED_FILES
    assert set(summary.files) == EXPECTED_FILES


def test_summary_counts_match_reproduction_csv(simulated_run) -> None:
    summary, results = simulated_run
    reproduction = pd.read_csv(results / "reproduction.csv", keep_default_na=False, dtype=str)
    assert summary.numbers_compared == (reproduction["inside_ci"] != "").sum()
    assert summary.numbers_inside == (reproduction["inside_ci"] == "True").sum()
    payload = json.loads((results / "summary.json").read_text())
    assert payload["statements"] == summary.statements == 25
    assert payload["summary"] in (results / "report.md").read_text()
    # the simulation follows the published figures, so most of them are recovered
    assert summary.numbers_inside >= 0.6 * summary.numbers_compared
    published = reproduction["value"].map(lambda v: v.replace(".", "", 1).isdigit())
    withheld = int((published & (reproduction["suppressed"] == "True")).sum())
    assert payload["numbers_suppressed"] == summary.numbers_suppressed == withheld
    assert (f"{withheld} published numbers and {summary.statements_suppressed} significance "
            "statements could not be shown because of disclosure control"
            ) in (results / "report.md").read_text()


def test_simulated_sample_sizes_and_victim_share_are_recovered(simulated_run) -> None:
    _, results = simulated_run
    sample = pd.read_csv(results / "table_sample.csv")
    assert sample["value"].tolist() == [630, 630, 630]
    a2 = pd.read_csv(results / "table_A2.csv")
    blsu = a2[(a2["measure"] == "victim_any_2010_2023") & (a2["group"] == "blsu")].iloc[0]
    assert blsu["ci_low"] <= 74 <= blsu["ci_high"]


def test_every_written_count_is_a_multiple_of_the_base(simulated_run) -> None:
    _, results = simulated_run
    for path in results.glob("*.csv"):
        frame = pd.read_csv(path)
        for column in frame.columns:
            assert "rinpersoon" not in column.lower(), path.name
            if COUNT_PATTERN.match(column):
                values = frame[column].dropna()
                assert (values % 5 == 0).all(), f"{path.name}:{column}"


def test_every_test_has_band_and_effect_size_kind(simulated_run) -> None:
    _, results = simulated_run
    tests = pd.read_csv(results / "tests.csv", keep_default_na=False)
    testable = tests[(tests["test"] != "not testable") & ~tests["suppressed"]]
    assert set(testable["band"]) <= {"n.s.", "<0.05", "<0.01", "<0.001"}
    assert set(tests["effect_kind"]) == {"cramer_v", "cohen_h", "hedges_g", "eta_squared"}
    pairs = testable[(testable["comparison"] == "pair") & (testable["p_holm"] != "")]
    assert len(pairs)
    assert (pairs["p_holm"].astype(float) >= pairs["p_value"].astype(float)).all()


def test_matching_keys_are_balanced_exactly(simulated_run) -> None:
    _, results = simulated_run
    balance = pd.read_csv(results / "balance.csv")
    matched = balance[balance["matched_on"]]
    assert set(matched["covariate"]) == {"birth_year", "sex_woman"}
    assert (matched["smd"].abs() < 1e-9).all()


def test_two_runs_give_identical_files(simulated_db: Path, simulated_run, tmp_path) -> None:
    _, first = simulated_run
    second = tmp_path / "again"
    run(simulated_db, second, progress=False)
    for name in sorted(EXPECTED_FILES):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_english_labels_on_request(simulated_db: Path, tmp_path) -> None:
    run(simulated_db, tmp_path, lang="en", progress=False)
    assert "Offender profiles" in (tmp_path / "A3.svg").read_text()


def test_html_report_embeds_figures(simulated_run) -> None:
    _, results = simulated_run
    html = (results / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3


def test_cli_without_warehouse_exits_non_zero_and_says_what_to_do(tmp_path, capsys) -> None:
    code = main(["--db", str(tmp_path / "missing.duckdb"), "--results", str(tmp_path / "r")])
    assert code == 2
    assert "run `blsu build` first" in capsys.readouterr().err


def test_cli_with_missing_mart_names_it(tmp_path, capsys) -> None:
    db = write_marts(tmp_path / "partial.duckdb", pd.DataFrame([person()]),
                     skip=("fct_offender_careers",))
    code = main(["--db", str(db), "--results", str(tmp_path / "r"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "marts.fct_offender_careers" in err and "blsu build" in err


def test_cli_honours_environment_and_reads_read_only(simulated_db: Path, tmp_path,
                                                    monkeypatch) -> None:
    monkeypatch.setenv("BLSU_DB", str(simulated_db))
    monkeypatch.setenv("BLSU_RESULTS", str(tmp_path / "env"))
    holder = duckdb.connect(str(simulated_db), read_only=True)  # a concurrent reader
    try:
        assert main(["--quiet"]) == 0
    finally:
        holder.close()
    assert (tmp_path / "env" / "reproduction.csv").is_file()


def test_unknown_study_group_is_a_clear_error(tmp_path) -> None:
    db = write_marts(tmp_path / "bad.duckdb", pd.DataFrame([person(study_group="other")]))
    with pytest.raises(RuntimeError, match="study_group"):
        run(db, tmp_path / "r", progress=False)
