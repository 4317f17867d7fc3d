"""National-scale benchmark of the warehouse: every target of the build in one run.

One run measures, each step in a child process (wall time, CPU time, peak RSS of the process
tree, the machine's load average):

- **the small extracts** (the `default` preset: 300,000 people, the full 630-offender study, in
  benchmarks/cache/run_default): the fresh main job (`blsu run` into an empty folder: generate,
  build with the trajectory fit made, statistics; the set-up of .venv excluded), a repeat
  `blsu build` (the fit stored, `gbtm.cache`), and a build with the store off
  (`BLSU_TRAJECTORY_CACHE=off`: what a first build costs);
- **each scale** (a fraction of the national register: 0.01, 0.1, 1): the extracts are
  generated once into benchmarks/cache/<preset>_parquet (reused while their manifest matches
  what the generator would write now) and hard-linked into benchmarks/cache/run_<preset>/raw;
  then the *floor* (the decode floor: DuckDB hashing every column of every used raw file once),
  the first `blsu build` (a fresh warehouse and ingest folder: the fit is made and stored),
  `blsu stats`, `blsu refresh` with nothing new, a one-year refresh (a SLOAANG year copied as
  a corrected V2), a repeat `blsu build` (the fit stored), and the plain pandas yardstick
  (`pandas_baseline.py`) over the same raw files;
- with `--memory LIMIT:THREADS ...`, at the largest scale: a repeat build per DuckDB setting
  (BLSU_DUCKDB_MEMORY_LIMIT, BLSU_DUCKDB_THREADS), to choose the profile's defaults by
  measurement.

It writes benchmarks/RESULTS.md: machine, versions, settings, the reproducing command, the
targets with the measured figures, every step, the costliest dbt nodes of the first build and of
the one-year refresh at the largest scale, and the memory settings. Text from the line
"## Analysis" on is kept when the file is rewritten. Per-scale raw measurements are kept as
benchmarks/cache/results_<preset>.json.

Peak RSS is the maximum over polls (every 0.1 s) of the summed VmRSS of the child process and all
its descendants, so a peak shorter than the poll interval can be missed. CPU time is the user and
system time of the child and the descendants it waited for (os.wait4).

    .venv/bin/python benchmarks/national_benchmark.py --scale 0.1 1 --memory 1GB:2 1.5GB:2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from process_tree import load_average, run_with_usage  # noqa: E402

from blsu.dbt_runner import dbt_target  # noqa: E402
from blsu_core.datasets import DATASETS  # noqa: E402
from blsu_ingest.inventory import inventory_dataset  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
CACHE = ROOT / "benchmarks" / "cache"
PRESET_BY_SCALE = {0.01: "national_1pct", 0.1: "national_10pct", 1.0: "national"}
SMALL_PRESET = "default"
SEED = 20240201
FORMAT = "parquet"
POLL_SECONDS = 0.1
REFRESH_YEAR = 2019
ANALYSIS_MARKER = "## Analysis"
GIB = 1024.0  # MiB

# step names the targets read
FLOOR, BUILD, BUILD_AGAIN = "floor", "build, first (fit made)", "build, repeat (fit stored)"
STATS, NOTHING_NEW, ONE_YEAR = "stats", "refresh, nothing new", "refresh, one year"
PANDAS = "pandas yardstick"
MAIN_JOB, SMALL_AGAIN = "main job, fresh (blsu run)", "build, repeat (fit stored)"
SMALL_COLD = "build, store off (fit made)"


@dataclass
class Step:
    """One measured child process."""

    name: str
    wall_s: float
    peak_rss_mib: float
    exit_code: int
    cpu_s: float = 0.0
    load_start: float = 0.0
    load_max: float = 0.0
    note: str = ""


@dataclass
class ScaleRun:
    """Every measurement at one size."""

    scale: float
    preset: str
    input_rows: int
    input_mib: float
    steps: list[Step] = field(default_factory=list)
    top_nodes: list[tuple[str, float]] = field(default_factory=list)
    refresh_nodes: list[tuple[str, float]] = field(default_factory=list)
    refresh_dbt_s: float = 0.0

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name and s.exit_code in (0, 3)), None)


def measure(name: str, cmd: list[str], env: dict[str, str], log: Path, note: str = "") -> Step:
    """Run `cmd` from the project root, measured; output appended to `log`."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n==> {name}: {' '.join(cmd)}\n")
        out.flush()
        usage = run_with_usage(
            cmd, POLL_SECONDS, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    step = Step(name, usage.wall_s, usage.peak_rss_mib, usage.exit_code, usage.cpu_s,
                usage.load_start, usage.load_max, note)
    print(f"  {name}: {step.wall_s:.1f} s, CPU {step.cpu_s:.1f} s, peak "
          f"{step.peak_rss_mib:.0f} MiB, load {step.load_start:.1f}-{step.load_max:.1f}, "
          f"exit {step.exit_code}", flush=True)
    return step


# ---------------------------------------------------------------------------------------------
# extracts


def expected_manifest(preset: str) -> dict[str, object]:
    """The manifest fields the generator would write now for `preset` (row counts aside)."""
    from blsu_synth.codes import CATEGORIES
    from blsu_synth.generator import GENERATOR_VERSION
    from blsu_synth.params import PRESETS, calibration_parameters

    size = PRESETS[preset]
    calibration = {
        "preset": {
            "n_persons": size.n_persons,
            "n_offenders": size.n_offenders,
            "chunk_size": size.chunk_size,
        },
        "report_categories": list(CATEGORIES),
        **calibration_parameters(),
    }
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "size": preset,
        "format": FORMAT,
        "calibration": json.loads(json.dumps(calibration, sort_keys=True)),
    }


def manifest_matches(folder: Path, preset: str) -> bool:
    """True when `folder` holds a complete extract written by today's generator for `preset`."""
    path = folder / "manifest.json"
    if not path.is_file():
        return False
    found = json.loads(path.read_text())
    want = expected_manifest(preset)
    return all(found.get(key) == value for key, value in want.items())


def ensure_extracts(preset: str, log: Path) -> Path:
    """The cached extract folder of `preset`, generated first when missing or stale."""
    folder = CACHE / f"{preset}_{FORMAT}"
    if manifest_matches(folder, preset):
        print(f"  reusing {folder}", flush=True)
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    cmd = [sys.executable, "-m", "blsu_synth", "--out", str(folder), "--size", preset]
    step = measure(
        "generate", [*cmd, "--format", FORMAT, "--seed", str(SEED), "--quiet"], _env(), log
    )
    if step.exit_code != 0:
        raise SystemExit(f"generating {preset} failed; see {log}")
    return folder


def input_size(folder: Path) -> tuple[int, float]:
    """Rows and MiB of the used raw files (what one build reads)."""
    import pyarrow.parquet as pq

    rows, size = 0, 0
    for spec in DATASETS.values():
        for entry in inventory_dataset(folder, spec):
            if entry.status == "used":
                rows += pq.ParquetFile(entry.path).metadata.num_rows
                size += entry.size_bytes
    return rows, size / 2**20


def link_copy(source: Path, target: Path) -> None:
    """A hard-linked copy of an extract folder (no data copied; the files are never written)."""
    if target.exists():
        shutil.rmtree(target)
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, dest)


def add_corrected_year(raw: Path, year: int) -> str:
    """Copy the police file of `year` as the next version, as a corrected delivery would land."""
    folder = raw / "SLOAANG"
    versions = sorted(folder.glob(f"SLOAANG{year}CBKV*.parquet"))
    if not versions:
        raise SystemExit(f"no SLOAANG{year}CBKV*.parquet in {folder}")
    newest = versions[-1]
    version = int(newest.stem.rsplit("V", 1)[1]) + 1
    corrected = folder / f"SLOAANG{year}CBKV{version}.parquet"
    shutil.copyfile(newest, corrected)
    return corrected.name


def register_as_sav(raw: Path) -> str:
    """Replace the register's Parquet file (a hard link) by the same rows as an SPSS .sav file,
    as CBS delivers it: streamed batch by batch through the generator's .sav writer (bounded
    memory), outside any measurement."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from blsu_synth.sav_writer import SavWriter

    folder = raw / "GBAPERSOONTAB"
    (source,) = sorted(folder.glob("*.parquet"))
    target = source.with_suffix(".sav")
    parquet = pq.ParquetFile(source)
    writer = SavWriter(target, parquet.schema_arrow.names)
    for batch in parquet.iter_batches(batch_size=1_000_000):
        writer.write(pa.Table.from_batches([batch]))
    writer.close()
    source.unlink()
    return target.name


def converted_at(db: Path, dataset: str, file_name: str) -> int | None:
    """When the ingestion wrote the canonical Parquet file of a raw file (mtime, ns), if any."""
    manifest = db.with_name(db.name + ".ingest") / dataset / "_inventory.json"
    try:
        files = json.loads(manifest.read_text())["files"]
        (canonical,) = [f["canonical"] for f in files if f["file_name"] == file_name]
        return Path(canonical).stat().st_mtime_ns
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------------------------------------
# the floor: DuckDB reading every used file once


def floor_load(raw: Path, db: Path) -> None:
    """Decode every used raw file once: `select count(*), max(hash(columns(*)))` per file.

    The decode floor: DuckDB (the warehouse's threads) reads and hashes every column of every
    used file, writing nothing. No build that reads the files can cost less. Runs in the child
    process of the `floor` step. `db` is unused (kept for the command line).
    """
    import duckdb

    del db
    con = duckdb.connect(":memory:")
    con.execute(f"set threads = {int(duckdb_settings()['threads'])}")
    for spec in DATASETS.values():
        for entry in inventory_dataset(raw, spec):
            if entry.status != "used":
                continue
            scan = {
                "parquet": "read_parquet(?)",
                "csv": "read_csv(?, all_varchar = true)",
            }.get(entry.file_format)
            if scan is None:  # .sav: DuckDB has no reader; pyreadstat, chunked, is the floor
                _sav_floor(entry.path)
                continue
            con.execute(
                f"select count(*), max(hash(columns(*))) from {scan}", [str(entry.path)]
            ).fetchall()
    con.close()


def _sav_floor(path: Path) -> None:
    """Decode one .sav file chunk by chunk (no DuckDB reader exists for SPSS)."""
    import pyreadstat

    for _frame, _meta in pyreadstat.read_file_in_chunks(
        pyreadstat.read_sav, str(path), chunksize=500_000
    ):
        pass


def duckdb_settings() -> dict[str, str]:
    """The DuckDB settings of the warehouse profile (profiles/profiles.yml), from the same env."""
    return {
        "memory_limit": os.environ.get("BLSU_DUCKDB_MEMORY_LIMIT", "1GB"),
        "threads": os.environ.get("BLSU_DUCKDB_THREADS", "2"),
    }


# ---------------------------------------------------------------------------------------------
# the runs


def _env(**values: object) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update({name: str(value) for name, value in values.items()})
    return env


def blsu() -> str:
    local = Path(sys.executable).with_name("blsu")
    return str(local) if local.exists() else "blsu"


def dbt_results(target: Path, n: int = 12) -> tuple[list[tuple[str, float]], float]:
    """The `n` costliest nodes of the last dbt run (run_results.json), and its elapsed time."""
    path = target / "run_results.json"
    if not path.is_file():
        return [], 0.0
    data = json.loads(path.read_text())
    timed = [(r["unique_id"], float(r.get("execution_time") or 0.0)) for r in data["results"]]
    return sorted(timed, key=lambda item: -item[1])[:n], float(data.get("elapsed_time") or 0.0)


def fresh_folder(name: str) -> Path:
    work = CACHE / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work


def run_small(log: Path) -> ScaleRun:
    """The fixed costs on the small (default) extracts: the fresh main job, a repeat build with
    the fit stored, and a build with the store off."""
    print(f"small extracts ({SMALL_PRESET})", flush=True)
    work = fresh_folder(f"run_{SMALL_PRESET}")
    raw, db, results = work / "raw", work / "blsu.duckdb", work / "results"
    env = _env(BLSU_RAW_DIR=raw, BLSU_DB=db, BLSU_RESULTS=results)
    run = ScaleRun(0.0, SMALL_PRESET, 0, 0.0)
    run.steps.append(measure(MAIN_JOB, [blsu(), "run", "--quiet"], env, log,
                             "generate, build (fit made), statistics"))
    if run.steps[-1].exit_code != 0:
        print(f"  the main job failed; see {log}", flush=True)
        return run
    run.input_rows, run.input_mib = input_size(raw)
    run.steps.append(measure(SMALL_AGAIN, [blsu(), "build", "--quiet"], env, log))
    off = {**env, "BLSU_TRAJECTORY_CACHE": "off"}
    run.steps.append(measure(SMALL_COLD, [blsu(), "build", "--quiet"], off, log))
    return run


def run_scale(scale: float, log: Path, register_sav: bool = False,
              memory: list[str] | None = None) -> ScaleRun:
    """Every step at one scale."""
    preset = PRESET_BY_SCALE[scale]
    print(f"scale {scale} ({preset})", flush=True)
    extracts = ensure_extracts(preset, log)
    rows, mib = input_size(extracts)
    run = ScaleRun(scale, preset, rows, mib)
    work = fresh_folder(f"run_{preset}")
    raw, db, results = work / "raw", work / "blsu.duckdb", work / "results"
    target = dbt_target(db)  # where `blsu build` and `blsu refresh` keep dbt's target
    link_copy(extracts, raw)
    env = _env(BLSU_RAW_DIR=raw, BLSU_DB=db, BLSU_RESULTS=results)
    here = Path(__file__).resolve()

    floor_cmd = [sys.executable, str(here), "--floor-only", str(raw), str(work / "floor.duckdb")]
    run.steps.append(measure(FLOOR, floor_cmd, env, log))
    build_cmd = [blsu(), "build", "--quiet"]
    run.steps.append(measure(BUILD, build_cmd, env, log, "fresh warehouse and ingest folder"))
    run.top_nodes = dbt_results(target)[0]
    if run.steps[-1].exit_code != 0:
        print(f"  build failed; the other steps are skipped (see {log})", flush=True)
        return run
    stats_cmd = [blsu(), "stats", "--db", str(db), "--results", str(results), "--quiet"]
    run.steps.append(measure(STATS, stats_cmd, env, log))
    first = measure(NOTHING_NEW, [blsu(), "refresh"], env, log)
    if first.exit_code == 0:
        first.name, first.note = "refresh, first (records state)", "no refresh state after build"
    run.steps.append(first)
    corrected = add_corrected_year(raw, REFRESH_YEAR)
    run.steps.append(measure(ONE_YEAR, [blsu(), "refresh"], env, log,
                             f"{corrected}, statistics included"))
    run.refresh_nodes, run.refresh_dbt_s = dbt_results(target, 10)
    run.steps[-1].note += f"; dbt {run.refresh_dbt_s:.1f} s"
    run.steps.append(measure(BUILD_AGAIN, build_cmd, env, log))
    pandas_cmd = [sys.executable, str(here.with_name("pandas_baseline.py")), str(raw),
                  str(work / "pandas_study_persons.parquet")]
    run.steps.append(measure(PANDAS, pandas_cmd, env, log, "benchmarks/pandas_baseline.py"))
    for setting in memory or []:
        limit, _, threads = setting.partition(":")
        knobs = {"BLSU_DUCKDB_MEMORY_LIMIT": limit, "BLSU_DUCKDB_THREADS": threads or "2"}
        run.steps.append(measure(
            f"build, memory_limit {limit}, threads {knobs['BLSU_DUCKDB_THREADS']}",
            build_cmd, {**env, **knobs}, log, "fit stored"))
    if register_sav:
        sav_steps(run, raw, db, env, log)
    shutil.rmtree(raw)
    return run


def sav_steps(run: ScaleRun, raw: Path, db: Path, env: dict[str, str], log: Path) -> None:
    """The register as a .sav file: a first build on a fresh warehouse and ingest folder (reads
    the .sav once, in chunks), then a build and a refresh with it unchanged (never read again:
    the ingestion's state of the file is `unchanged`)."""
    print("  writing the register as .sav (not measured)", flush=True)
    name = register_as_sav(raw)
    db.unlink(missing_ok=True)
    shutil.rmtree(db.with_name(db.name + ".ingest"), ignore_errors=True)
    build_cmd = [blsu(), "build", "--quiet"]
    first = measure("build, register .sav (first)", build_cmd, env, log)
    written = converted_at(db, "GBAPERSOONTAB", name)
    first.note = f"{name} read once, converted in chunks" if written else f"{name} not converted"
    run.steps.append(first)
    for label, cmd in (
        ("build, register .sav unchanged", build_cmd),
        ("refresh, register .sav unchanged", [blsu(), "refresh"]),
    ):
        step = measure(label, cmd, env, log)
        same = written is not None and converted_at(db, "GBAPERSOONTAB", name) == written
        step.note = f"{name} {'not read again' if same else 'read again'}"
        run.steps.append(step)


# ---------------------------------------------------------------------------------------------
# report


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        mem_kib = 0
    return f"{os.cpu_count()} cores, {mem_kib / 2**20:.1f} GiB memory, {cpu}"


@dataclass(frozen=True)
class Target:
    """One target: what is measured, the figure, the limit, whether it is met."""

    name: str
    figure: str
    limit: str
    met: bool | None
    how: str = ""

    def row(self) -> str:
        mark = "n/a" if self.met is None else ("met" if self.met else "**missed**")
        return f"| {self.name} | {self.figure} | {self.limit} | {mark} | {self.how} |"


def targets(small: ScaleRun | None, large: ScaleRun | None) -> list[Target]:
    """The build's targets from one run: the small extracts and the largest scale."""
    def get(run: ScaleRun | None, name: str) -> Step | None:
        return run.step(name) if run else None

    floor, first, again = get(large, FLOOR), get(large, BUILD), get(large, BUILD_AGAIN)
    refresh, pandas = get(large, ONE_YEAR), get(large, PANDAS)
    main_job, small_again, small_cold = (get(small, MAIN_JOB), get(small, SMALL_AGAIN),
                                         get(small, SMALL_COLD))
    size = f"{large.scale:g} x national" if large else "n/a"
    out = []
    if floor and again and small_again:
        marginal = again.wall_s - small_again.wall_s
        how = (f"{again.wall_s:.1f} - {small_again.wall_s:.1f} s (repeat builds, fit stored); "
               f"floor {floor.wall_s:.1f} s")
        if first and small_cold:
            how += (f"; first builds: {first.wall_s:.1f} - {small_cold.wall_s:.1f} = "
                    f"{first.wall_s - small_cold.wall_s:.1f} s, "
                    f"{(first.wall_s - small_cold.wall_s) / floor.wall_s:.1f}x")
        out.append(Target(f"marginal cost of scale ({size})",
                          f"{marginal:.1f} s = {marginal / floor.wall_s:.1f}x the floor",
                          "<= 10x floor", marginal <= 10 * floor.wall_s, how))
    else:
        out.append(Target("marginal cost of scale", "n/a", "<= 10x floor", None))
    out.append(Target(
        "fixed cost: repeat `blsu build`, small extracts (fit stored)",
        f"{small_again.wall_s:.1f} s" if small_again else "n/a", "<= 30 s",
        None if small_again is None else small_again.wall_s <= 30,
        f"CPU {small_again.cpu_s:.1f} s" if small_again else ""))
    out.append(Target(
        "fixed cost: fresh main job, default extracts (`blsu run`, set-up excluded)",
        f"{main_job.wall_s:.1f} s" if main_job else "n/a", "<= 60 s",
        None if main_job is None else main_job.wall_s <= 60,
        f"CPU {main_job.cpu_s:.1f} s; generate, build with the fit made, statistics"
        if main_job else ""))
    for label, step in (("first build", first), ("repeat build", again)):
        out.append(Target(
            f"peak RSS of the {label} ({size})",
            f"{step.peak_rss_mib / GIB:.2f} GiB" if step else "n/a", "<= 2 GiB",
            None if step is None else step.peak_rss_mib <= 2 * GIB))
    if refresh and again:
        how = f"{refresh.wall_s:.1f} s / {again.wall_s:.1f} s"
        if first:
            how += f"; of the first build: {refresh.wall_s / first.wall_s:.1%}"
        out.append(Target(f"one-year police refresh / repeat build ({size})",
                          f"{refresh.wall_s / again.wall_s:.1%}", "<= 10%",
                          refresh.wall_s <= 0.10 * again.wall_s, how))
    else:
        out.append(Target("one-year police refresh / build", "n/a", "<= 10%", None))
    if pandas and again:
        slower, bigger = pandas.wall_s / again.wall_s, pandas.peak_rss_mib / again.peak_rss_mib
        how = (f"pandas {pandas.wall_s:.1f} s, {pandas.peak_rss_mib / GIB:.2f} GiB; repeat "
               f"build {again.wall_s:.1f} s, {again.peak_rss_mib / GIB:.2f} GiB")
        if first:
            how += (f"; against the first build {pandas.wall_s / first.wall_s:.2f}x and "
                    f"{pandas.peak_rss_mib / first.peak_rss_mib:.2f}x")
        out.append(Target(f"pandas yardstick slower than the repeat build ({size})",
                          f"{slower:.2f}x", ">= 5x", slower >= 5, how))
        out.append(Target(f"pandas yardstick bigger than the repeat build ({size})",
                          f"{bigger:.2f}x", ">= 5x", bigger >= 5))
    else:
        out.append(Target("pandas yardstick against the build", "n/a", ">= 5x", None))
    return out


def step_rows(run: ScaleRun) -> list[str]:
    label = run.preset if run.scale == 0 else f"{run.scale:g} ({run.preset})"
    rows = []
    for step in run.steps:
        per_m = step.wall_s / (run.input_rows / 1e6) if run.input_rows else 0.0
        rows.append(
            f"| {label} | {run.input_rows:,} | {step.name} | {step.wall_s:.1f} | "
            f"{step.cpu_s:.1f} | {per_m:.2f} | {step.peak_rss_mib:.0f} | "
            f"{step.load_start:.1f}-{step.load_max:.1f} | {step.exit_code} | {step.note} |"
        )
    return rows


def node_table(title: str, nodes: list[tuple[str, float]]) -> list[str]:
    if not nodes:
        return []
    return ["", title, "", "| node | s |", "|---|---:|",
            *[f"| `{node}` | {secs:.1f} |" for node, secs in nodes]]


def render(small: ScaleRun | None, runs: list[ScaleRun], command: str, analysis: str,
           loads: tuple[float, float]) -> str:
    settings = duckdb_settings()
    large = max(runs, key=lambda r: r.scale) if runs else None
    every = [*([small] if small else []), *runs]
    lines = [
        "# Warehouse benchmark at national scale",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- load average (1 min): {loads[0]:.1f} at the start, {loads[1]:.1f} at the end; "
        "per step in the table (at its start, and the highest seen while it ran)",
        f"- versions: python {platform.python_version()}, duckdb {_version('duckdb')}, "
        f"dbt-core {_version('dbt-core')}, dbt-duckdb {_version('dbt-duckdb')}",
        f"- DuckDB settings: memory_limit {settings['memory_limit']}, "
        f"threads {settings['threads']} (BLSU_DUCKDB_MEMORY_LIMIT, BLSU_DUCKDB_THREADS)",
        f"- trajectory starts: {os.environ.get('BLSU_TRAJECTORY_STARTS', 'the var default')}",
        f"- reproduce: `{command}`",
        "",
        "## Targets",
        "",
        "| target | measured | limit | | how |",
        "|---|---:|---|---|---|",
        *[t.row() for t in targets(small, large)],
        "",
        "## Steps",
        "",
        "Each step is a child process: wall time, CPU time (user + system of the process tree), "
        "peak RSS (summed over the process tree, polled every 0.1 s), the 1-minute load "
        "average. Input = rows of the used raw files. *floor*: DuckDB (the warehouse's threads) "
        "running `select count(*), max(hash(columns(*)))` on every used raw file once. "
        "Refreshes include the statistics that `blsu refresh` runs after the build. "
        f"`{SMALL_PRESET}`: the small extracts, generated by the main job itself.",
        "",
        "| size | input rows | step | wall (s) | CPU (s) | s per M rows | peak RSS (MiB) | "
        "load | exit | note |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|---|",
        *[row for run in every for row in step_rows(run)],
    ]
    if large:
        lines += node_table(f"Costliest dbt nodes of the first build at {large.scale:g} x "
                            "national (run_results.json, s):", large.top_nodes)
        lines += node_table(f"Costliest dbt nodes of the one-year refresh at {large.scale:g} x "
                            f"national (dbt {large.refresh_dbt_s:.1f} s in all):",
                            large.refresh_nodes)
    return "\n".join(lines) + "\n\n" + analysis


def kept_analysis() -> str:
    """The hand-written part of RESULTS.md (from the analysis heading on), if any."""
    if not RESULTS.is_file():
        return f"{ANALYSIS_MARKER}\n"
    text = RESULTS.read_text(encoding="utf-8")
    at = text.find(ANALYSIS_MARKER)
    return text[at:] if at >= 0 else f"{ANALYSIS_MARKER}\n"


def save_run(run: ScaleRun) -> None:
    path = CACHE / f"results_{run.preset}.json"
    path.write_text(json.dumps(asdict(run), indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, nargs="+", default=[1.0], choices=sorted(PRESET_BY_SCALE),
        help="fractions of national size",
    )
    parser.add_argument(
        "--memory", nargs="*", default=[], metavar="LIMIT:THREADS",
        help="at the largest scale, a repeat build per DuckDB setting, e.g. 1GB:2 1.5GB:1",
    )
    parser.add_argument(
        "--no-small", action="store_true",
        help="leave out the small extracts (the fixed-cost targets are then n/a)",
    )
    parser.add_argument(
        "--register-sav", type=float, nargs="*", default=[], metavar="SCALE",
        help="at these scales, after the Parquet steps, build and refresh with the register as "
        "a .sav file (written before the measured steps)",
    )
    parser.add_argument("--floor-only", nargs=2, metavar=("RAW", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_only:
        floor_load(Path(args.floor_only[0]), Path(args.floor_only[1]))
        return 0
    CACHE.mkdir(parents=True, exist_ok=True)
    log = CACHE / "national_benchmark.log"
    log.write_text("", encoding="utf-8")
    command = ".venv/bin/python benchmarks/national_benchmark.py --scale " + " ".join(
        f"{s:g}" for s in args.scale
    )
    if args.memory:
        command += " --memory " + " ".join(args.memory)
    if args.no_small:
        command += " --no-small"
    if args.register_sav:
        command += " --register-sav " + " ".join(f"{s:g}" for s in args.register_sav)
    analysis = kept_analysis()
    start_load = load_average()
    small = None if args.no_small else run_small(log)
    if small:
        save_run(small)
    runs: list[ScaleRun] = []
    largest = max(args.scale)
    for scale in sorted(args.scale):
        runs.append(run_scale(scale, log, scale in args.register_sav,
                              args.memory if scale == largest else None))
        save_run(runs[-1])
        RESULTS.write_text(render(small, runs, command, analysis, (start_load, load_average())),
                           encoding="utf-8")
    print(f"results: {RESULTS}; log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
