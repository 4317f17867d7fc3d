"""The date rule of every staging model (macro parse_yyyymmdd), on hand-made values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "20190101": "2019-01-01",
    " 20190101 ": "2019-01-01",  # surrounding blanks are trimmed
    "99991231": "9999-12-31",
    "2019010": None,  # seven digits
    "201901011": None,  # nine digits
    "2019-01-01": None,
    "2019O101": None,  # a letter O
    "+2019010": None,
    "20190230": None,  # no such day
    "00000000": None,
    "\u0662\u0660\u0661\u0669\u0660\u0661\u0660\u0661": None,  # Arabic-Indic digits
    "": None,
}


def test_only_eight_ascii_digits_of_a_real_day_are_a_date(tmp_path):
    values = ", ".join("('" + v.replace("'", "''") + "')" for v in CASES) + ", (null)"
    query = f"select v, {{{{ parse_yyyymmdd('v') }}}} as d from (values {values}) as t (v)"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "show", "--profiles-dir", "profiles",
         "--target", "lint", "--target-path", str(tmp_path / "target"), "--quiet",
         "--output", "json", "--limit", "100", "--inline", query],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "BLSU_RAW_DIR": str(tmp_path / "raw"),
             "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = json.loads(proc.stdout[proc.stdout.index("{"):])["show"]
    assert {row["v"]: row["d"] for row in rows} == {**CASES, None: None}
