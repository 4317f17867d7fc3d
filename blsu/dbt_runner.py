"""Run dbt in a child process, so that its DuckDB lock never outlives the command.

A build writes a fresh warehouse file beside the target and swaps it in only when every model and
test passed: a failed build leaves the previous warehouse exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from blsu.paths import PROJECT_ROOT, Paths


class BuildError(RuntimeError):
    """dbt failed; the message says where to look."""


def dbt_executable() -> str:
    """The dbt of this environment (the .venv's), falling back to the one on PATH."""
    local = Path(sys.executable).with_name("dbt")
    if local.exists():
        return str(local)
    found = shutil.which("dbt")
    if not found:
        raise BuildError("dbt is not installed: run scripts/setup.sh first")
    return found


def run_dbt(args: Sequence[str], paths: Paths, *, quiet: bool = False) -> None:
    """Run `dbt <args>` from the project root with the project's profile; raise on failure."""
    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT / "profiles"),
    ]
    env = paths.env()
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    proc = subprocess.run(
        cmd,
        cwd=PROJECT_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    )
    if proc.returncode != 0:
        if quiet and proc.stdout:
            sys.stderr.write(proc.stdout[-20000:])
        raise BuildError(
            f"`dbt {' '.join(args)}` failed (exit {proc.returncode}); see the output above and "
            f"{PROJECT_ROOT / 'logs' / 'dbt.log'}"
        )


def build_warehouse(paths: Paths, *, quiet: bool = False, extra_args: Sequence[str] = ()) -> None:
    """`dbt build` into a scratch file next to the warehouse, then swap it in atomically."""
    if not paths.raw_dir.is_dir():
        raise BuildError(
            f"no raw extracts at {paths.raw_dir}: set BLSU_RAW_DIR or run `blsu generate`"
        )
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    scratch = paths.db.with_name(paths.db.name + ".building")
    for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
        leftover.unlink(missing_ok=True)
    building = Paths(raw_dir=paths.raw_dir, db=scratch, results=paths.results)
    try:
        run_dbt(["build", *extra_args], building, quiet=quiet)
    except BaseException:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
        raise
    os.replace(scratch, paths.db)
