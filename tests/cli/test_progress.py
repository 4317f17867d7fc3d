"""The progress line that stands in for dbt's log in `blsu build` and `blsu refresh`."""

from __future__ import annotations

import io

from blsu.progress import DbtProgress, NodeEvent, parse_node_line

DBT_LOG = """\x1b[0m05:10:06  Running with dbt=1.11.16
\x1b[0m05:10:07  Found 29 models, 4 analyses, 131 data tests, 3 seeds
\x1b[0m05:10:07  1 of 4 START sql view model staging.stg_cbs__deaths ........ [RUN]
05:10:08  1 of 4 OK created sql view model staging.stg_cbs__deaths [\x1b[32mOK\x1b[0m in 0.40s]
\x1b[0m05:10:08  2 of 4 START sql table model marts.fct_study_persons ....... [RUN]
05:10:08  2 of 4 OK created sql table model marts.fct_study_persons [\x1b[32mOK\x1b[0m in 0.2s]
\x1b[0m05:10:08  3 of 4 START test not_null_fct_study_persons_has_lvb ....... [RUN]
\x1b[0m05:10:08  3 of 4 FAIL 2 not_null_fct_study_persons_has_lvb [\x1b[31mFAIL 2\x1b[0m in 0.01s]
\x1b[0m05:10:08  4 of 4 SKIP relation marts.dq_findings ..................... [\x1b[33mSKIP\x1b[0m]
\x1b[0m05:10:13  Done. PASS=2 WARN=0 ERROR=1 SKIP=1 NO-OP=0 TOTAL=4
"""


def test_a_start_line_names_the_model_its_kind_and_the_place_in_the_run() -> None:
    line = "\x1b[0m05:10:08  2 of 179 START sql table model marts.fct_study_persons .. [RUN]"
    assert parse_node_line(line) == NodeEvent(2, 179, "START", "table model", "fct_study_persons")


def test_lines_that_are_no_node_are_not_progress() -> None:
    assert parse_node_line("\x1b[0m05:10:13  Done. PASS=177 WARN=0 ERROR=0 TOTAL=179") is None


def test_hooks_are_no_node_of_the_run() -> None:
    assert parse_node_line("07:12:01  1 of 1 START hook: blsu.on-run-end.0 ....... [RUN]") is None
    assert parse_node_line("07:12:01  1 of 1 OK hook: blsu.on-run-end.0 ....... [OK in 0.01s]") \
        is None


def test_a_log_shows_one_line_per_built_model_and_every_failure_then_x_of_y() -> None:
    out = io.StringIO()
    progress = DbtProgress(out, live=False)
    for line in DBT_LOG.splitlines(keepends=True):
        progress.feed(line)
    progress.finish()
    assert out.getvalue().splitlines() == [
        "[1/4] built stg_cbs__deaths",
        "[2/4] built fct_study_persons",
        "FAIL: test not_null_fct_study_persons_has_lvb",
        "dbt: 4 of 4 nodes done, 1 with errors or warnings",
    ]


def test_a_terminal_sees_the_running_node_rewritten_in_place() -> None:
    out = io.StringIO()
    progress = DbtProgress(out, live=True)
    for line in DBT_LOG.splitlines(keepends=True)[:5]:
        progress.feed(line)
    assert out.getvalue().endswith("\r\x1b[2K[1/4 done] fct_study_persons (table model)")
    assert "\n" not in out.getvalue()


def test_verbose_passes_dbt_log_through_unchanged() -> None:
    out = io.StringIO()
    progress = DbtProgress(out, verbose=True)
    for line in DBT_LOG.splitlines(keepends=True):
        progress.feed(line)
    progress.finish()
    assert out.getvalue() == DBT_LOG


def test_two_dbt_runs_under_one_progress_count_their_nodes_together() -> None:
    # a Spark build: dbt up to the trajectory model's input, the estimate, dbt for the rest
    first = [
        "05:10:07  1 of 2 START sql view model staging.stg_cbs__deaths ........ [RUN]",
        "05:10:08  1 of 2 OK created sql view model staging.stg_cbs__deaths [OK in 0.40s]",
        "05:10:08  2 of 2 START sql table model intermediate.int_persons ..... [RUN]",
        "05:10:08  2 of 2 OK created sql table model intermediate.int_persons [OK in 0.2s]",
    ]
    second = [line.replace(" of 2 ", " of 3 ") for line in first] + [
        "05:10:09  3 of 3 START sql table model marts.fct_study_persons ....... [RUN]",
        "05:10:09  3 of 3 OK created sql table model marts.fct_study_persons [OK in 0.2s]",
    ]
    out = io.StringIO()
    progress = DbtProgress(out, live=False)
    for line in first + second:
        progress.feed(line)
    progress.finish()
    assert out.getvalue().splitlines() == [
        "[1/2] built stg_cbs__deaths",
        "[2/2] built int_persons",
        "[3/5] built stg_cbs__deaths",
        "[4/5] built int_persons",
        "[5/5] built fct_study_persons",
        "dbt: 5 of 5 nodes done in 2 dbt runs",
    ]


def test_a_second_run_of_the_same_size_is_counted_as_a_run_of_its_own() -> None:
    run = [
        "05:10:07  1 of 1 START sql view model staging.stg_cbs__deaths ........ [RUN]",
        "05:10:08  1 of 1 OK created sql view model staging.stg_cbs__deaths [OK in 0.40s]",
    ]
    out = io.StringIO()
    progress = DbtProgress(out, live=False)
    for line in run + run:
        progress.feed(line)
    progress.finish()
    assert out.getvalue().splitlines()[-1] == "dbt: 2 of 2 nodes done in 2 dbt runs"
