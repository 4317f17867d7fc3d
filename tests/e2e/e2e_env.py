"""The `blsu` command of this environment and the environment a user of one folder gives it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

BLSU = str(Path(sys.executable).with_name("blsu"))


def blsu_env(tmp: Path) -> dict[str, str]:
    """The environment of a user whose extracts, warehouse and results live in `tmp`."""
    env = dict(os.environ)
    env.update(
        BLSU_RAW_DIR=str(tmp / "raw"),
        BLSU_DB=str(tmp / "blsu.duckdb"),
        BLSU_RESULTS=str(tmp / "results"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env
