"""The queries of analysis/, compiled once per build, so that `blsu sql NAME` runs without dbt.

dbt resolves an analysis's ref() and var() only by compiling it, and a compile loads the whole
project: seconds per query. So every build and refresh (blsu.dbt_runner.build_scratch) compiles
all of them once, with the vars it builds with, and keeps the SQL in the warehouse's SQL folder
(`<db>.sql-target`, where `blsu sql` compiles too) as `analyses.json`, with what it was compiled
for: the record of the warehouse being built (its digest: raw files, vars, code version,
blsu_core.record), the vars, the warehouse file and a digest of analysis/.

`blsu sql NAME` runs the stored SQL only when it belongs to the warehouse it reads (`stored`):
the warehouse's record is the one it was compiled for (a build that failed after compiling left
the previous warehouse, whose record differs; a `dbt build` by hand drops the record), the
project's code is still the code of that build, analysis/ is unchanged, and the vars asked for
(`--vars`, by default the warehouse's) are the warehouse's. Otherwise it compiles with dbt, says
why, and when that compile is for the warehouse's own vars and code, stores it the same way.

The SQL is compiled for the warehouse file at its own path (dbt names the database after the
file), not for the build's scratch file, and in a folder apart from the build's target folder,
which keeps the build's run_results.json and parse state.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from blsu_core.paths import PROJECT_ROOT, Paths
from blsu_core.record import WarehouseRecord, code_version, vars_argument

ANALYSIS_DIR = PROJECT_ROOT / "analysis"
PROJECT_NAME = "blsu"  # dbt_project.yml `name`: the folder of the compiled files
STORE = "analyses.json"


def analysis_names() -> list[str]:
    """The queries of analysis/, by name."""
    return sorted(p.stem for p in ANALYSIS_DIR.glob("*.sql"))


def sql_folder(db: Path) -> Path:
    """Where the analyses of warehouse `db` are compiled and kept: `<db>.sql-target`."""
    return db.with_name(db.name + ".sql-target")


def analyses_version(folder: Path = ANALYSIS_DIR) -> str:
    """A digest of the files of analysis/ (the queries and their YAML)."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Stored:
    """The compiled analyses of one warehouse and what they were compiled for."""

    db: str
    record: str  # digest of the warehouse record
    vars: dict[str, Any]
    analyses: str  # analyses_version() when compiled
    queries: dict[str, str]

    @classmethod
    def read(cls, db: Path) -> Stored | None:
        try:
            return cls(**json.loads((sql_folder(db) / STORE).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


def compile_all(paths: Paths, dbt_vars: dict[str, Any]) -> dict[str, str]:
    """Every analysis compiled by dbt with these vars for the warehouse `paths.db`, by name.

    dbt does not open the warehouse for this (--no-populate-cache), so it works while a shell
    holds it, and keeps its parse state in the folder (partial parsing) but writes no
    manifest.json (nothing reads it); raises BuildError when dbt fails.
    """
    from blsu.dbt_runner import BuildError, run_dbt
    from blsu.progress import showing

    target = sql_folder(paths.db)
    compiled = target / "compiled" / PROJECT_NAME / "analysis"
    shutil.rmtree(compiled, ignore_errors=True)  # never read a file an earlier compile left
    args = ["compile", "--select", "resource_type:analysis", "--no-populate-cache", "--quiet",
            "--no-write-json", *vars_argument(dbt_vars)]
    with showing(None):  # not a step of a build's progress
        run_dbt(args, paths, quiet=True, target_path=target)
    queries = {name: (compiled / f"{name}.sql").read_text(encoding="utf-8")
               for name in analysis_names() if (compiled / f"{name}.sql").exists()}
    if not queries and analysis_names():
        raise BuildError(f"dbt compiled no analysis (looked in {compiled})")
    return queries


def store(db: Path, record: WarehouseRecord, queries: dict[str, str]) -> None:
    """Keep the analyses compiled for the warehouse with `record` beside it (one file, replaced
    whole)."""
    kept = Stored(str(db), record.digest, record.vars, analyses_version(), queries)
    path = sql_folder(db) / STORE
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{STORE}.{os.getpid()}")
    scratch.write_text(json.dumps(asdict(kept), indent=1, sort_keys=True), encoding="utf-8")
    scratch.replace(path)


def forget(db: Path) -> None:
    """Drop the stored analyses of warehouse `db`."""
    (sql_folder(db) / STORE).unlink(missing_ok=True)


def stored(name: str, db: Path, record: WarehouseRecord | None,
           asked_vars: dict[str, Any] | None = None) -> tuple[str | None, str]:
    """The stored SQL of analysis `name` when it belongs to the warehouse `db` with `record`
    and to the vars asked for (None: the warehouse's); else None and the reason, in words."""
    kept = Stored.read(db)
    if record is None:
        return None, "the warehouse has no record of its build"
    if kept is None or name not in kept.queries:
        return None, "no compiled SQL is stored for this warehouse"
    if kept.db != str(db) or kept.record != record.digest:
        return None, "the stored SQL is of another build"
    if asked_vars is not None and asked_vars != record.vars:
        return None, "--vars other than the warehouse's"
    if kept.analyses != analyses_version() or record.code_version != code_version():
        return None, "the project's code changed since the warehouse was built"
    return kept.queries[name], ""


def store_for_build(paths: Paths, record: WarehouseRecord, on_duckdb: bool = True) -> None:
    """Compile every analysis for the warehouse a build makes (at `paths.db`, with `record`)
    and store them; the previous warehouse's are dropped first. A failed compile does not fail
    the build (dbt builds no analysis either): it is a warning, and `blsu sql` compiles then.
    A Spark build stores none: its DuckDB file holds the marts only."""
    from blsu.dbt_runner import BuildError

    forget(paths.db)
    if not on_duckdb:
        return
    try:
        queries = compile_all(paths, record.vars)
    except BuildError as exc:
        print(f"blsu: warning: the queries of analysis/ could not be compiled; `blsu sql NAME` "
              f"compiles them when run: {exc}", file=sys.stderr)
        return
    store(paths.db, record, queries)
