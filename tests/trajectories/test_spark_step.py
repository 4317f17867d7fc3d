"""The Spark build's estimator step (blsu.spark_trajectories): the Python models' tables from a
Spark table's Parquet files, with the settings dbt rendered, and the stamp the Spark models
check."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from blsu.spark_trajectories import EstimateError, estimate
from gbtm.warehouse import reported_rows


def _manifest(tmp_path: Path, folder: Path, reported: object) -> Path:
    nodes = {
        "model.blsu.int_offender_age_counts": {"resource_type": "model", "schema":
            "intermediate", "name": "int_offender_age_counts", "config": {}},
        "model.blsu.int_trajectory_fits": {"resource_type": "model", "schema": "intermediate",
            "name": "int_trajectory_fits", "config": {"groups": "1,2", "starts": "1",
            "seed": 3, "trajectory_estimates": str(folder)}},
        "model.blsu.int_trajectory_assignments": {"resource_type": "model", "schema":
            "intermediate", "name": "int_trajectory_assignments",
            "config": {"reported_groups": reported}},
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def _age_counts(warehouse: Path, study_like) -> Path:
    data, _ = study_like
    table = warehouse / "intermediate.db" / "int_offender_age_counts"
    table.mkdir(parents=True)
    ids = pd.Series(data.person_ids[data.person]).str.split("|", n=1, expand=True)
    pd.DataFrame({
        "rinpersoons": "R", "rinpersoon": ids[0].str.zfill(9), "age": data.age.astype("int32"),
        "is_observed": True, "exposure": data.exposure, "n_cases": data.count.astype("int32"),
    }).to_parquet(table / "part-00000-a.snappy.parquet", index=False)
    (table / "_SUCCESS").touch()
    return table


def test_the_step_writes_the_three_tables_and_what_they_were_fitted_on(tmp_path, study_like):
    warehouse, folder = tmp_path / "wh", tmp_path / "wh" / "trajectory_estimates"
    _age_counts(warehouse, study_like)
    estimate(_manifest(tmp_path, folder, "2"), warehouse, say=lambda _: None)
    stamp = pd.read_parquet(folder / "fitted_on.parquet")
    assert stamp.to_dict("records") == [
        {"settings": "1,2|1|3|2", "input_files": "part-00000-a.snappy.parquet"}]
    fits = pd.read_parquet(folder / "int_trajectory_fits.parquet")
    assert sorted(zip(fits["n_groups"], fits["trajectory_group"], strict=True)) == [
        (1, 1), (2, 1), (2, 2)]
    assert set(fits["n_starts"]) == {1}
    assignments = pd.read_parquet(folder / "int_trajectory_assignments.parquet")
    assert len(assignments) == len(study_like[0].person_ids)
    assert set(assignments["n_groups"]) == {2}  # var trajectory_reported_groups: 2
    curves = pd.read_parquet(folder / "int_trajectory_curves.parquet")
    assert set(curves["n_groups"]) == {1, 2}


def test_the_step_refuses_a_build_without_the_age_counts(tmp_path):
    with pytest.raises(Exception, match="int_offender_age_counts"):
        estimate(_manifest(tmp_path, tmp_path / "out", None), tmp_path / "wh")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    del manifest["nodes"]["model.blsu.int_trajectory_fits"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(EstimateError, match="no enabled model int_trajectory_fits"):
        estimate(tmp_path / "manifest.json", tmp_path / "wh")


def test_the_reported_model_is_the_set_number_else_the_selected_else_the_best_bic():
    fits = pd.DataFrame({"n_groups": [1, 2, 2, 3, 3, 3], "is_selected": [False, True, True,
                         False, False, False], "bic_nagin": [-90.0, -80.0, -80.0, -70.0,
                         -70.0, -70.0]})
    assert set(reported_rows(fits, None)["n_groups"]) == {2}
    assert set(reported_rows(fits, "3")["n_groups"]) == {3}
    assert set(reported_rows(fits.assign(is_selected=False), "None")["n_groups"]) == {3}
    with pytest.raises(ValueError, match="no model with that many groups"):
        reported_rows(fits, 4)
