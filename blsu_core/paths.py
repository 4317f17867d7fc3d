"""Where the project, the raw extracts, the warehouse file and the results live.

One rule for every command (`blsu`, `python -m python_stats`, `python -m blsu_synth`, dbt through
`blsu`): a value of BLSU_RAW_DIR, BLSU_DB or BLSU_RESULTS that is relative is taken from the
current directory; without the variable the default lies in the project folder (data/raw,
data/blsu.duckdb, results/), wherever the command is started from.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULTS: dict[str, Path] = {
    "BLSU_RAW_DIR": PROJECT_ROOT / "data" / "raw",
    "BLSU_DB": PROJECT_ROOT / "data" / "blsu.duckdb",
    "BLSU_RESULTS": PROJECT_ROOT / "results",
}


class PathError(RuntimeError):
    """A configured path that cannot be used; the message says which and why."""


def cli_path(value: str) -> Path:
    """A path given on the command line: relative to the current directory, like a variable."""
    return Path(value).expanduser().resolve()


def path_argument(parser: argparse.ArgumentParser, flag: str, variable: str, what: str,
                  dest: str | None = None) -> None:
    """An option naming a path, by the one rule: given, else the variable, else the default in
    the project folder."""
    default = DEFAULTS[variable].relative_to(PROJECT_ROOT)
    parser.add_argument(flag, type=cli_path, default=from_env(variable), dest=dest,
                        help=f"{what} (default: ${variable}, else the project's {default})")


def from_env(name: str) -> Path:
    """The path an environment variable names (relative: from the current directory), or its
    default in the project folder."""
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else DEFAULTS[name]


@dataclass(frozen=True)
class Paths:
    """The folders and files one run works on."""

    raw_dir: Path
    db: Path
    results: Path
    ingest_dir: Path | None = None

    @property
    def ingested(self) -> Path:
        """The ingest folder (canonical files and inventory): BLSU_INGEST_DIR, else
        `<db>.ingest` beside the warehouse."""
        if self.ingest_dir is not None:
            return self.ingest_dir
        value = os.environ.get("BLSU_INGEST_DIR", "").strip()
        return Path(value).expanduser().resolve() if value else self.db.with_name(
            self.db.name + ".ingest"
        )

    @classmethod
    def from_env(cls) -> Paths:
        """Resolve BLSU_RAW_DIR, BLSU_DB and BLSU_RESULTS, defaulting to the project's data/."""
        return cls(
            raw_dir=from_env("BLSU_RAW_DIR"),
            db=from_env("BLSU_DB"),
            results=from_env("BLSU_RESULTS"),
        )

    def env(self) -> dict[str, str]:
        """The environment for a child process (dbt) that must see these same paths."""
        child = dict(os.environ)
        child.update(
            BLSU_RAW_DIR=str(self.raw_dir), BLSU_DB=str(self.db), BLSU_RESULTS=str(self.results),
            BLSU_INGEST_DIR=str(self.ingested),
        )
        return child


def ensure_folder(folder: Path, what: str, variable: str) -> None:
    """Create `folder` (and its parents) or fail saying which setting points where."""
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise PathError(
                f"{what} cannot go into {folder}: {parent} is a file, not a folder; "
                f"point {variable} somewhere else"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PathError(
            f"{what} cannot go into {folder}: {exc.strerror}; check {variable}"
        ) from exc


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
