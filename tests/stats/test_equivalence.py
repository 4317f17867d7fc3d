"""The run's shortcuts give the very numbers and files of the straightforward computations.

Holm's adjustment, Cramer's V from a known chi-square, group selection by precomputed masks,
first-row look-ups, the bootstrap of case shares and figures drawn in a helper process are each
set against the library call or the plain pandas/numpy expression they replace.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import association
from statsmodels.stats.multitest import multipletests

from python_stats import background, run
from python_stats.background import Helper, can_fork
from python_stats.comparisons import career_frame
from python_stats.disclosure import DisclosureRules
from python_stats.effects import cramers_v
from python_stats.figures import Values, render_figures
from python_stats.labels import labels
from python_stats.marts import load_marts
from python_stats.measures import (
    BOOTSTRAP_RESAMPLES,
    GroupRows,
    all_estimates,
    case_share_intervals,
    members,
)
from python_stats.reproduction import FirstRow
from python_stats.significance import chi_square, holm
from python_stats.tables import estimates_table


def test_holm_equals_statsmodels_multipletests_to_the_last_bit() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 2, 3, 6, 12):
        p = rng.uniform(0, 0.6, size)
        p[: size // 3] = p[0]  # ties
        assert holm(p.tolist()) == multipletests(p, method="holm")[1].tolist()


def test_holm_caps_adjusted_p_values_at_one() -> None:
    # m = 3: 0.2 * 3 = 0.6, then max(0.6, 0.5 * 2) = 1.0, then max(1.0, 0.9) = 1.0
    assert holm([0.5, 0.2, 0.9]) == [1.0, 0.6000000000000001, 1.0]


def test_cramers_v_from_a_known_chi_square_equals_scipy_association() -> None:
    for table in (np.array([[762, 327, 468], [484, 239, 477]]),
                  np.array([[12, 30], [40, 41], [7, 55]])):
        statistic = chi_square(table).statistic
        direct = association(table, method="cramer", correction=False)
        assert cramers_v(table, statistic) == direct == cramers_v(table)


def hand_made_persons() -> pd.DataFrame:
    """Three offenders (two continu, one incidenteel), three controls, flags with nulls."""
    return pd.DataFrame({
        "study_group": ["blsu", "blsu", "blsu", "criminal_control", "noncriminal_control",
                        "criminal_control"],
        "profile": ["continu", "continu", "incidenteel", None, None, None],
        "recent_victim_3y": pd.array([True, None, False, None, None, None], dtype="boolean"),
        "n_victimisations": [3, 1, 4, 2, 0, 5],
        "age": [19.5, None, 22.0, None, None, None],
    })


def test_group_flags_count_true_and_false_rows_of_the_group_leaving_nulls_out() -> None:
    groups = GroupRows(hand_made_persons())
    assert groups.flags("continu", "recent_victim_3y") == (1, 0)
    assert groups.flags("blsu", "recent_victim_3y") == (1, 1)
    assert groups.flags("criminal_control", "recent_victim_3y") == (0, 0)


def test_group_numbers_are_the_non_null_values_of_the_group_in_row_order() -> None:
    persons = hand_made_persons()
    groups = GroupRows(persons)
    assert groups.numbers("criminal_control", "n_victimisations").tolist() == [2.0, 5.0]
    assert groups.numbers("blsu", "age").tolist() == [19.5, 22.0]
    assert members(persons, "continu")["n_victimisations"].tolist() == [3, 1]


def test_unknown_group_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown group 'victims'"):
        GroupRows(hand_made_persons()).mask("victims")


def test_first_row_is_the_first_match_of_all_key_columns() -> None:
    frame = pd.DataFrame({"measure": ["a", "a", "b", "a"], "group": ["x", "y", "x", "y"],
                          "value": [1.0, 2.0, 3.0, 4.0]})
    first = FirstRow(frame, ("measure", "group"))
    assert first.get("a", "y")["value"] == 2.0
    assert first.get("b", "y") is None


def test_first_row_of_an_empty_table_without_columns_finds_nothing() -> None:
    assert FirstRow(pd.DataFrame(), ("measure", "group")).get("a", "y") is None


def test_figure_values_take_the_first_row_and_nan_when_absent() -> None:
    table = pd.DataFrame({"measure": ["m", "m"], "group": ["blsu", "blsu"],
                          "value": [7.5, 9.0]})
    values = Values(table)
    assert values.get("m", "blsu") == 7.5
    assert math.isnan(values.get("m", "continu"))


def test_case_share_bootstrap_equals_one_resample_matrix_per_profile() -> None:
    careers = pd.DataFrame({"profile": ["continu", "incidenteel", "continu", "laat_piek",
                                        "vroeg_piek", "continu"],
                            "n_cases": [4, 1, 2, 3, 1, 6]})
    shares = case_share_intervals(careers, seed=11, rules=DisclosureRules(round_base=1))
    cases = careers["n_cases"].to_numpy(float)
    idx = np.random.default_rng(11).integers(0, 6, size=(BOOTSTRAP_RESAMPLES, 6))
    mine = np.where(careers["profile"] == "continu", cases, 0.0)
    low, high = np.nanpercentile(mine[idx].sum(axis=1) / cases[idx].sum(axis=1), [2.5, 97.5])
    assert shares["continu"].estimate == 100 * 12 / 17
    assert (shares["continu"].low, shares["continu"].high) == (100 * low, 100 * high)


def test_careers_are_selected_by_profile_as_offenders() -> None:
    careers = pd.DataFrame({"profile": ["continu", "laat_piek"], "n_cases": [2, 5]})
    assert GroupRows(career_frame(careers)).numbers("laat_piek", "n_cases").tolist() == [5.0]


def test_helper_runs_a_step_in_another_process() -> None:
    if not can_fork():
        pytest.skip("no fork on this platform")
    with Helper() as helper:
        assert helper.submit(os.getpid)() != os.getpid()


def test_helper_without_fork_runs_the_step_in_the_calling_process() -> None:
    with Helper(fork=False) as helper:
        assert helper.submit(os.getpid)() == os.getpid()


def test_helper_passes_a_step_error_to_the_caller() -> None:
    with Helper() as helper:
        result = helper.submit(math.sqrt, -1.0)
        with pytest.raises(ValueError, match="math domain error"):
            result()


def exit_unless_in(pid: int) -> str:
    """A step that kills any process but `pid`."""
    if os.getpid() != pid:
        os._exit(1)
    return "ran in the calling process"


def test_a_step_whose_helper_dies_runs_in_the_calling_process() -> None:
    with Helper() as helper:
        result = helper.submit(exit_unless_in, os.getpid())
        assert result() == "ran in the calling process"
        again = helper.submit(exit_unless_in, os.getpid())
        assert again() == "ran in the calling process"


def test_run_without_a_helper_process_writes_the_same_files(
    simulated_db: Path, simulated_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, forked = simulated_run
    monkeypatch.setattr(background, "can_fork", lambda: False)
    run(simulated_db, tmp_path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in forked.iterdir())
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (forked / path.name).read_bytes(), path.name


def test_figures_drawn_in_the_helper_equal_those_drawn_in_process(simulated_db: Path,
                                                                  tmp_path: Path) -> None:
    rules = DisclosureRules()
    marts = load_marts(simulated_db)
    table = estimates_table(all_estimates(marts.persons, marts.careers, 20240201, rules), rules)
    args = (table, labels("nl"), rules.min_cell)
    inline = render_figures(*args, tmp_path / "inline", rules)
    with Helper() as helper:
        forked = helper.submit(render_figures, *args, tmp_path / "forked", rules)()
    assert [p.name for p in forked] == [p.name for p in inline] == [
        "A1.png", "A1.svg", "A2.png", "A2.svg", "A3.png", "A3.svg"]
    for a, b in zip(inline, forked, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
