"""`blsu trajectories fit`: files written, and bad input named by column and row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from blsu.cli import main
from gbtm.simulate import simulate


@pytest.fixture
def table(tmp_path, truth):
    data, _ = simulate(truth, 150, np.random.default_rng(1))
    frame = pd.DataFrame(
        {"pid": data.person_ids[data.person], "age": data.age, "n": data.count.astype(int)}
    )
    path = tmp_path / "counts.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_fit_writes_every_table(table, tmp_path):
    path, frame = table
    out = tmp_path / "fit"
    args = [str(path), "--groups", "1-2", "--starts", "3", "--seed", "5", "--out", str(out)]
    code = main(["trajectories", "fit", *args, "--person", "pid", "--count", "n", "--quiet"])
    assert code == 0
    selection = pd.read_csv(out / "model_selection.csv")
    assert selection["n_groups"].tolist() == [1, 2]
    assert selection["n_distinct_optima"].min() >= 1
    assignments = pd.read_csv(out / "assignments.csv")
    assert len(assignments) == frame["pid"].nunique()
    assert set(assignments["profile"]) <= {"incidenteel", "vroeg_piek", "laat_piek", "continu"}
    curves = pd.read_csv(out / "curves.csv")
    assert (curves["lower"] <= curves["expected"]).all()
    assert (curves["expected"] <= curves["upper"]).all()
    params = pd.read_csv(out / "parameters.csv")
    assert params["se"].notna().all()
    meta = json.loads((out / "fit.json").read_text())
    assert meta["seed"] == 5


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.drop(columns="n"), "column 'n' not found"),
        (lambda f: f.assign(n=f["n"].where(f.index != 4, -1)), "row 5, column 'n': -1"),
        (lambda f: f.assign(n=f["n"].where(f.index != 2, 1.5)), "row 3, column 'n': 1.5"),
        (
            lambda f: f.assign(age=f["age"].astype(str).where(f.index != 6, "x")),
            "row 7, column 'age'",
        ),
        (lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True), "row "),
    ],
    ids=["missing-column", "negative", "fraction", "not-a-number", "duplicate-age"],
)
def test_bad_input_names_the_column_and_row(table, tmp_path, capsys, edit, message):
    path, frame = table
    edit(frame).to_csv(path, index=False)
    args = ["trajectories", "fit", str(path), "--out", str(tmp_path / "o"), "--person", "pid"]
    code = main([*args, "--count", "n", "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert message in err
    assert str(path) in err
