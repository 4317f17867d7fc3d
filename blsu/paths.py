"""Where the project, the raw extracts, the warehouse file and the results live.

Every command honours the same three environment variables, so that a scheduler, the dbt CLI and
the `blsu` command all see the same files. Relative values are taken from the current directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Paths:
    """The folders and files one run works on."""

    raw_dir: Path
    db: Path
    results: Path

    @classmethod
    def from_env(cls) -> Paths:
        """Resolve BLSU_RAW_DIR, BLSU_DB and BLSU_RESULTS, defaulting to the project's data/."""
        return cls(
            raw_dir=_from_env("BLSU_RAW_DIR", PROJECT_ROOT / "data" / "raw"),
            db=_from_env("BLSU_DB", PROJECT_ROOT / "data" / "blsu.duckdb"),
            results=_from_env("BLSU_RESULTS", PROJECT_ROOT / "results"),
        )

    def env(self) -> dict[str, str]:
        """The environment for a child process (dbt) that must see these same paths."""
        child = dict(os.environ)
        child.update(
            BLSU_RAW_DIR=str(self.raw_dir), BLSU_DB=str(self.db), BLSU_RESULTS=str(self.results)
        )
        return child


def has_extracts(raw_dir: Path) -> bool:
    """True when the folder holds at least one dataset folder with a data file in it."""
    if not raw_dir.is_dir():
        return False
    return any(
        f.suffix.lower() in {".parquet", ".csv", ".sav"}
        for d in raw_dir.iterdir()
        if d.is_dir()
        for f in d.iterdir()
    )
