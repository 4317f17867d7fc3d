"""The trajectory model sits where a police-year refresh never reaches it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _downstream(*selectors: str, tmp_path: Path) -> set[str]:
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    out = subprocess.run(
        [
            str(dbt),
            "ls",
            "--profiles-dir",
            "profiles",
            "--resource-type",
            "model",
            "--quiet",
            "--target-path",
            str(tmp_path / "target"),
            "--select",
            *selectors,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.rsplit(".", 1)[-1] for line in out.stdout.split()}


def test_police_files_do_not_feed_the_estimator_but_om_files_do(tmp_path):
    # the selectors a refresh of SLOAANG builds (blsu.refresh.RefreshPlan.selectors)
    police = _downstream("source:cbs.sloaang+", "source:cbs.raw_file_inventory+", tmp_path=tmp_path)
    assert "fct_study_persons" in police
    assert not {"int_trajectory_fits", "int_trajectory_assignments"} & police
    om = _downstream("source:cbs.omzaken+", tmp_path=tmp_path)
    assert {"int_offender_age_counts", "int_trajectory_fits"} <= om
