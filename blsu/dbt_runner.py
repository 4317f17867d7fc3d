"""Run dbt in a child process, so that its DuckDB lock never outlives the command.

A build writes a fresh warehouse file beside the target and swaps it in only when every model and
test passed: a failed build leaves the previous warehouse exactly as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from blsu import progress
from blsu.paths import PROJECT_ROOT, Paths


class BuildError(RuntimeError):
    """dbt failed; the message says where to look."""


class WarehouseLockedError(BuildError):
    """Another process holds the DuckDB file open for writing."""


def check_unlocked(db: Path) -> None:
    """Fail when another process holds a write lock on the warehouse file.

    Copying or replacing a file that another process writes to would lose that process's
    writes, so a build or refresh stops instead, naming the process when DuckDB tells it.
    """
    if not db.exists():
        return
    import duckdb

    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" not in text.lower():
            raise BuildError(f"cannot open the warehouse {db}: {text}") from exc
        pid = re.search(r"PID (\d+)", text)
        holder = f"process {pid.group(1)}" if pid else "another process"
        raise WarehouseLockedError(
            f"the warehouse {db} is locked by {holder} (DuckDB: {text.splitlines()[0]}); "
            "close that program (a DuckDB shell, a notebook, another dbt run) and try again"
        ) from exc


def dbt_executable() -> str:
    """The dbt of this environment (the .venv's), falling back to the one on PATH."""
    local = Path(sys.executable).with_name("dbt")
    if local.exists():
        return str(local)
    found = shutil.which("dbt")
    if not found:
        raise BuildError("dbt is not installed: run scripts/setup.sh first")
    return found


def run_dbt(
    args: Sequence[str], paths: Paths, *, quiet: bool = False, target_path: Path | None = None
) -> None:
    """Run `dbt <args>` from the project root with the project's profile; raise on failure."""
    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT / "profiles"),
    ]
    if "--target-path" not in args:
        cmd += ["--target-path", str(target_path or dbt_target(paths.db))]
    env = paths.env()
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    shown = progress.active()
    if shown is not None:
        proc = shown.run(cmd, cwd=PROJECT_ROOT, env=env)
    else:
        proc = subprocess.run(
            cmd,
            cwd=PROJECT_ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE if quiet else None,
            stderr=subprocess.STDOUT if quiet else None,
        )
    if proc.returncode != 0:
        if (quiet or shown) and proc.stdout and not (shown and shown.verbose):
            sys.stderr.write(proc.stdout[-20000:])
        cause = input_error(proc.stdout or "", paths.raw_dir)
        raise BuildError(
            (f"{cause}\n" if cause else "")
            + f"`dbt {' '.join(args)}` failed (exit {proc.returncode}); see the output above and "
            f"{PROJECT_ROOT / 'logs' / 'dbt.log'}"
        )


def input_error(output: str, raw_dir: Path) -> str | None:
    """The loader's message about a raw file in dbt's output (names the file), if any."""
    for line in output.splitlines():
        if str(raw_dir) in line and ":" in line:
            text = line.strip()
            start = text.find(str(raw_dir))
            return text[start:].split(". Detail:")[0]
    return None


def dbt_target(db: Path) -> Path:
    """dbt's target folder for a warehouse (`<db>.dbt-target`), kept from one run to the next.

    Every build and refresh of one warehouse uses the same folder, so dbt re-parses only what
    changed since the last run (partial parsing) instead of the whole project: a fixed cost of
    several seconds per refresh. `run_results.json` of the last run is there too. Runs on one
    warehouse never overlap (the refresh lock, the DuckDB file lock), so they never share it at
    the same time. A `--target-path` given in the dbt arguments wins.
    """
    return db.with_name(db.name + ".dbt-target")


def scratch_file(db: Path) -> Path:
    """The file a build writes before it is swapped in as the warehouse."""
    return db.with_name(db.name + ".building")


def discard(path: Path) -> None:
    """Remove a scratch DuckDB file and its write-ahead log."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def build_scratch(
    paths: Paths,
    args: Sequence[str],
    *,
    from_current: bool,
    quiet: bool = False,
    target_path: Path | None = None,
) -> Path:
    """`dbt <args>` into a scratch file: a fresh one, or a copy of the current warehouse.

    Returns the scratch file; on failure it is removed and the warehouse is untouched.
    """
    if not paths.raw_dir.is_dir():
        raise BuildError(
            f"no raw extracts at {paths.raw_dir}: set BLSU_RAW_DIR or run `blsu generate`"
        )
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    check_unlocked(paths.db)
    scratch = scratch_file(paths.db)
    discard(scratch)
    building = Paths(raw_dir=paths.raw_dir, db=scratch, results=paths.results)
    try:
        if from_current:
            shutil.copyfile(paths.db, scratch)
            wal = paths.db.with_name(paths.db.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, scratch.with_name(scratch.name + ".wal"))
        run_dbt(args, building, quiet=quiet, target_path=target_path or dbt_target(paths.db))
    except BaseException:
        discard(scratch)
        raise
    return scratch


def swap_in(scratch: Path, db: Path) -> None:
    """Replace the warehouse with a finished scratch file in one rename."""
    os.replace(scratch, db)
    db.with_name(db.name + ".wal").unlink(missing_ok=True)


def build_warehouse(
    paths: Paths,
    *,
    quiet: bool = False,
    extra_args: Sequence[str] = (),
    target_path: Path | None = None,
) -> None:
    """`dbt build` into a fresh scratch file next to the warehouse, then swap it in atomically.

    A fresh file means a full load of every dataset: the reference every refresh must equal.
    """
    scratch = build_scratch(
        paths, ["build", *extra_args], from_current=False, quiet=quiet, target_path=target_path
    )
    check_unlocked(paths.db)
    swap_in(scratch, paths.db)
