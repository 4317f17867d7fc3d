"""Run dbt in a child process, so that its DuckDB lock never outlives the command.

A build writes a warehouse file in a scratch folder beside the target
(`.<db name>.build-scratch/blsu.duckdb`: always named `blsu.duckdb`, so that dbt-duckdb's
catalog name never depends on the warehouse's file name, and always at the same path, so that
dbt's partial parsing holds from one build or refresh to the next: `build_dir`). The scratch file is
sealed and verified (`blsu.swap`) before it replaces the warehouse: a failed build leaves the
previous warehouse exactly as it was.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from blsu import progress
from blsu.analyses import store_for_build
from blsu.faults import maybe_fail
from blsu.swap import SwapError, seal, verify_warehouse
from blsu_core.paths import PROJECT_ROOT, Paths, ensure_folder
from blsu_core.record import WarehouseRecord, write_record


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
            return  # an unreadable (corrupt) warehouse is rebuilt, not an obstacle
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
    args: Sequence[str], paths: Paths, *, quiet: bool = False, target_path: Path | None = None,
    program: Sequence[str] | None = None,
) -> None:
    """Run `dbt <args>` from the project root with the project's profile; raise on failure.
    `program` runs instead of dbt with the same arguments (`blsu.spark_build`)."""
    cmd = dbt_command(args, target_path or dbt_target(paths.db), program)
    env = dbt_env(paths)
    debug = env.get("BLSU_DEBUG", "") not in ("", "0")
    shown = progress.active()
    kept: list[str] = []
    with subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, env=env, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, bufsize=1,
    ) as proc:
        assert proc.stdout is not None
        lines = _keep(proc.stdout, kept)
        for line in lines if debug else without_tracebacks(lines):
            if shown is not None:
                shown.feed(line)
            elif not quiet:
                sys.stdout.write(line)
                sys.stdout.flush()
        code = proc.wait()
    if shown is not None:
        shown.finish()
    if code != 0:
        output = "".join(kept)
        if quiet or (shown is not None and not shown.verbose):
            tail = output[-20000:].splitlines(keepends=True)
            sys.stderr.write("".join(tail if debug else without_tracebacks(iter(tail))))
        cause = input_error(output, paths.raw_dir)
        raise BuildError(
            (f"{cause}\n" if cause else "")
            + f"`dbt {' '.join(args)}` failed (exit {code}); see the output above and "
            f"{PROJECT_ROOT / 'logs' / 'dbt.log'}"
        )


def dbt_command(args: Sequence[str], target_path: Path,
                program: Sequence[str] | None = None) -> list[str]:
    """The command line of `dbt <args>` on this project and profile, into `target_path` (a
    `--target-path` among the arguments wins)."""
    cmd = [*(program or [dbt_executable()]), *args, "--project-dir", str(PROJECT_ROOT),
           "--profiles-dir", str(PROJECT_ROOT / "profiles")]
    if "--target-path" not in args:
        cmd += ["--target-path", str(target_path)]
    return cmd


def dbt_env(paths: Paths) -> dict[str, str]:
    """The environment of a dbt run on `paths`."""
    env = paths.env()
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def _keep(lines: Iterator[str], kept: list[str]) -> Iterator[str]:
    for line in lines:
        kept.append(line)
        yield line


def without_tracebacks(lines: Iterator[str]) -> Iterator[str]:
    """dbt's output without the Python tracebacks in it (the exception's own line is kept).

    The error messages say what failed; `blsu --debug` shows the tracebacks too.
    """
    skipping = False
    for line in lines:
        if "Traceback (most recent call last):" in line:
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        yield line


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
    several seconds per refresh. `run_results.json` and `manifest.json` of the last run are
    there too. Runs on one warehouse never overlap (the warehouse lock), so they never share it
    at the same time. A `--target-path` given in the dbt arguments wins.
    """
    return db.with_name(db.name + ".dbt-target")


SCRATCH_NAME = "blsu.duckdb"


def scratch_prefix(path: Path) -> str:
    return f".{path.name}.build-"


def scratch_dir(path: Path) -> Path:
    """This run's scratch folder for the warehouse or results at `path` (one per process)."""
    return path.with_name(f"{scratch_prefix(path)}{os.getpid()}")


def build_dir(db: Path) -> Path:
    """The scratch folder of the builds of warehouse `db`: one fixed name per warehouse.

    The scratch file is the path of dbt's profile (BLSU_DB) while it builds; dbt keeps its
    parsed project in the warehouse's target folder (`dbt_target`) and parses only what changed
    since the last run, unless the profile changed: a scratch path that differed per run made
    every build and refresh parse the whole project again (several seconds). Builds of one
    warehouse never overlap (the warehouse lock), and a folder a killed run left is removed
    before the next one (`clear_stale_scratch`).
    """
    return db.with_name(f"{scratch_prefix(db)}scratch")


def clear_stale_scratch(path: Path) -> None:
    """Remove scratch folders that earlier (killed) runs left beside `path`.

    Called under the warehouse lock: no other run can be using them.
    """
    if not path.parent.is_dir():
        return
    for leftover in path.parent.glob(scratch_prefix(path) + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


def no_space(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def copy_warehouse(db: Path, scratch: Path) -> None:
    """Copy the warehouse (and a WAL beside it) into the scratch folder; fail clearly."""
    try:
        maybe_fail("copy")
        shutil.copyfile(db, scratch)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, scratch.with_name(scratch.name + ".wal"))
    except OSError as exc:
        reason = "the disk is full" if no_space(exc) else exc.strerror or str(exc)
        raise BuildError(
            f"could not copy the warehouse {db} to {scratch.parent} ({reason}); "
            "free space there and run again"
        ) from exc


def build_scratch(
    paths: Paths,
    args: Sequence[str],
    *,
    record: WarehouseRecord,
    from_current: bool,
    quiet: bool = False,
    target_path: Path | None = None,
    target: str | None = None,
) -> Path:
    """`dbt <args>` into this run's scratch file (fresh, or a copy of the current warehouse),
    with the record of what it holds, sealed and verified; the queries of analysis/ are
    compiled for it (`blsu.analyses`).

    `target` is a target of the profile other than the default; a Spark target builds on
    Spark and its marts are then copied into the scratch file (`blsu.spark_export`).

    Returns the scratch file; on failure its folder is removed and the warehouse is untouched.
    """
    if not paths.raw_dir.is_dir():
        raise BuildError(
            f"no raw extracts at {paths.raw_dir}: set BLSU_RAW_DIR or run `blsu generate`"
        )
    ensure_folder(paths.db.parent, "the warehouse", "BLSU_DB")
    check_unlocked(paths.db)
    folder = build_dir(paths.db)
    shutil.rmtree(folder, ignore_errors=True)
    scratch = folder / SCRATCH_NAME
    target_name, target = target, target_path or dbt_target(paths.db)
    try:
        folder.mkdir()
        if from_current:
            copy_warehouse(paths.db, scratch)
        building = Paths(
            raw_dir=paths.raw_dir, db=scratch, results=paths.results, ingest_dir=paths.ingested
        )
        (target / "run_results.json").unlink(missing_ok=True)
        if target_name:
            from blsu.spark_export import WAREHOUSE_VARIABLE, spark_warehouse

            # one absolute folder for dbt (run from the project folder) and the copy below
            os.environ[WAREHOUSE_VARIABLE] = str(spark_warehouse())
        run_build(args, building, quiet=quiet, target_path=target, target_name=target_name)
        _copy_spark_marts(target / "manifest.json", scratch)
        store_for_build(paths, record,
                        on_duckdb=not target_name or target_type(target_name) == "duckdb")
        _record(scratch, record)
        written = seal(scratch)
        verify_warehouse(scratch, written, target / "manifest.json")
    except SwapError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise BuildError(str(exc)) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return scratch


def target_type(name: str) -> str:
    """The adapter type (`duckdb`, `spark`) of a target of profiles/profiles.yml."""
    import yaml

    profiles = yaml.safe_load((PROJECT_ROOT / "profiles" / "profiles.yml").read_text("utf-8"))
    outputs = profiles["blsu"]["outputs"]
    if name not in outputs:
        raise BuildError(f"profiles/profiles.yml has no target {name!r} "
                         f"(targets: {', '.join(outputs)})")
    return str(outputs[name].get("type"))


def run_build(
    args: Sequence[str], paths: Paths, *, quiet: bool, target_path: Path,
    target_name: str | None,
) -> None:
    """`dbt <args>` on the target; on a Spark target with the trajectory model estimated
    between two dbt runs in one process (`blsu.spark_build`: dbt-spark runs no Python
    models)."""
    on_target = ["--target", target_name] if target_name else []
    spark = bool(target_name) and target_type(str(target_name)) == "spark"
    run_dbt([*args, *on_target], paths, quiet=quiet, target_path=target_path,
            program=[sys.executable, "-m", "blsu.spark_build"] if spark else None)


def _copy_spark_marts(manifest: Path, scratch: Path) -> None:
    """After a build on Spark, its marts into the scratch DuckDB file the statistics read."""
    from blsu.spark_export import SparkExportError, adapter_type, export_marts

    if not manifest.exists() or adapter_type(manifest) != "spark":
        return
    try:
        export_marts(manifest, scratch)
    except SparkExportError as exc:
        raise SwapError(str(exc)) from exc


def _record(scratch: Path, record: WarehouseRecord) -> None:
    import duckdb

    try:
        con = duckdb.connect(str(scratch))
        try:
            write_record(con, record)
        finally:
            con.close()
    except duckdb.Error as exc:
        raise SwapError(
            f"could not write the warehouse record into {scratch} (is the disk full?): {exc}"
        ) from exc
