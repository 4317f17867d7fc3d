"""National-scale benchmark of the warehouse: floor, full build, one-year refresh, statistics.

For each scale (a fraction of the national register: 0.01, 0.1, 1) the script

1. generates the synthetic extracts once into benchmarks/cache/<preset>_parquet, and reuses them
   while their manifest matches what the generator would write now (version, seed, size, format,
   calibration);
2. lays a working copy of that folder (hard links) under benchmarks/cache/run_<preset>/raw;
3. measures, each in a child process: the *floor* (the decode floor: DuckDB hashing every column
   of every used raw file once), the full `blsu build`, `blsu stats`, a
   first `blsu refresh` (nothing new, or the first refresh that records the state), and a
   one-year refresh (a SLOAANG year copied as a corrected V2, then `blsu refresh`);
4. writes benchmarks/RESULTS.md: machine, versions, date, the reproducing command, wall time and
   peak RSS per step, time per million input rows, the ratios against the targets and the
   costliest dbt nodes (run_results.json of the build, in `<db>.dbt-target`).

Peak RSS is the maximum over polls (every 0.1 s) of the summed VmRSS of the child process and all
its descendants, so a peak shorter than the poll interval can be missed. Text of RESULTS.md from
the line "## Analysis" on is kept when the file is rewritten.

    .venv/bin/python benchmarks/national_benchmark.py --scale 0.01 0.1 1
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

from process_tree import run_measured  # noqa: E402

from blsu.dbt_runner import dbt_target  # noqa: E402
from blsu_core.datasets import DATASETS  # noqa: E402
from blsu_ingest.inventory import inventory_dataset  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
CACHE = ROOT / "benchmarks" / "cache"
PRESET_BY_SCALE = {0.01: "national_1pct", 0.1: "national_10pct", 1.0: "national"}
SEED = 20240201
FORMAT = "parquet"
POLL_SECONDS = 0.1
REFRESH_YEAR = 2019
ANALYSIS_MARKER = "## Analysis"
TARGETS = (
    "full build <= 10x the decode floor; one-year refresh <= 10% of the full build; "
    "peak RSS of the build <= 2 GiB; statistics < 30 s"
)


@dataclass
class Step:
    """One measured child process."""

    name: str
    wall_s: float
    peak_rss_mib: float
    exit_code: int
    note: str = ""


@dataclass
class ScaleRun:
    """Every measurement at one scale."""

    scale: float
    preset: str
    input_rows: int
    input_mib: float
    steps: list[Step] = field(default_factory=list)
    top_nodes: list[tuple[str, float]] = field(default_factory=list)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)


def measure(name: str, cmd: list[str], env: dict[str, str], log: Path, note: str = "") -> Step:
    """Run `cmd` from the project root; wall time and peak tree RSS; output appended to `log`."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n==> {name}: {' '.join(cmd)}\n")
        out.flush()
        wall, peak, code = run_measured(
            cmd, POLL_SECONDS, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    step = Step(name, wall, peak, code, note)
    print(f"  {name}: {wall:.1f} s, peak {peak:.0f} MiB, exit {code}", flush=True)
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
        "memory_limit": os.environ.get("BLSU_DUCKDB_MEMORY_LIMIT", "4GB"),
        "threads": os.environ.get("BLSU_DUCKDB_THREADS", "2"),
    }


# ---------------------------------------------------------------------------------------------
# one scale


def _env(**paths: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update({name: str(value) for name, value in paths.items()})
    return env


def blsu() -> str:
    local = Path(sys.executable).with_name("blsu")
    return str(local) if local.exists() else "blsu"


def top_nodes(target: Path, n: int = 12) -> list[tuple[str, float]]:
    """The `n` costliest nodes of the last dbt run (run_results.json), seconds each."""
    path = target / "run_results.json"
    if not path.is_file():
        return []
    results = json.loads(path.read_text())["results"]
    timed = [(r["unique_id"], float(r.get("execution_time") or 0.0)) for r in results]
    return sorted(timed, key=lambda item: -item[1])[:n]


def run_scale(scale: float, log: Path, register_sav: bool = False) -> ScaleRun:
    """Every step at one scale, in the order floor, build, stats, refresh, one-year refresh."""
    preset = PRESET_BY_SCALE[scale]
    print(f"scale {scale} ({preset})", flush=True)
    extracts = ensure_extracts(preset, log)
    rows, mib = input_size(extracts)
    run = ScaleRun(scale, preset, rows, mib)
    work = CACHE / f"run_{preset}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    raw, db, results = work / "raw", work / "blsu.duckdb", work / "results"
    target = dbt_target(db)  # where `blsu build` and `blsu refresh` keep dbt's target
    link_copy(extracts, raw)
    env = _env(BLSU_RAW_DIR=raw, BLSU_DB=db, BLSU_RESULTS=results)
    here = Path(__file__).resolve()

    floor_cmd = [sys.executable, str(here), "--floor-only", str(raw), str(work / "floor.duckdb")]
    run.steps.append(measure("floor", floor_cmd, env, log))
    build_cmd = [blsu(), "build", "--quiet"]
    run.steps.append(measure("build", build_cmd, env, log))
    run.top_nodes = top_nodes(target)
    if run.steps[-1].exit_code != 0:
        print(f"  build failed; the other steps are skipped (see {log})", flush=True)
        return run
    stats_cmd = [blsu(), "stats", "--db", str(db), "--results", str(results), "--quiet"]
    run.steps.append(measure("stats", stats_cmd, env, log))
    first = measure("refresh, nothing new", [blsu(), "refresh"], env, log)
    if first.exit_code == 0:
        first.name, first.note = "refresh, first (records state)", "no refresh state after build"
    run.steps.append(first)
    corrected = add_corrected_year(raw, REFRESH_YEAR)
    run.steps.append(measure("refresh, one year", [blsu(), "refresh"], env, log, corrected))
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


def _ratio(num: Step | None, den: Step | None) -> str:
    if num is None or den is None or den.wall_s == 0:
        return "n/a"
    return f"{num.wall_s / den.wall_s:.2f}"


def targets_table(run: ScaleRun) -> list[str]:
    """Each target with the measured value and whether it is met."""
    floor, build, stats = run.step("floor"), run.step("build"), run.step("stats")
    refresh = run.step("refresh, one year")
    peak = build.peak_rss_mib if build else 0.0

    def row(target: str, value: str, ok: bool | None) -> str:
        mark = "n/a" if ok is None else ("met" if ok else "**missed**")
        return f"| {target} | {value} | {mark} |"

    def ratio_ok(num: Step | None, den: Step | None, limit: float) -> bool | None:
        if num is None or den is None or den.wall_s == 0:
            return None
        return num.wall_s / den.wall_s <= limit

    return [
        f"Targets at {run.scale:g} x national ({run.preset}):",
        "",
        "| target | measured | |",
        "|---|---:|---|",
        row("build / floor <= 10", _ratio(build, floor), ratio_ok(build, floor, 10.0)),
        row(
            "build < 300 s",
            f"{build.wall_s:.0f} s" if build else "n/a",
            None if build is None else build.wall_s < 300,
        ),
        row(
            "one-year refresh / build <= 0.10",
            _ratio(refresh, build),
            ratio_ok(refresh, build, 0.10),
        ),
        row("build peak RSS <= 2 GiB", f"{peak / 1024:.2f} GiB", peak <= 2 * 1024),
        row(
            "statistics < 30 s",
            f"{stats.wall_s:.1f} s" if stats else "n/a",
            None if stats is None else stats.wall_s < 30,
        ),
    ]


def render(runs: list[ScaleRun], command: str, analysis: str) -> str:
    settings = duckdb_settings()
    lines = [
        "# Warehouse benchmark at national scale",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- versions: python {platform.python_version()}, duckdb {_version('duckdb')}, "
        f"dbt-core {_version('dbt-core')}, dbt-duckdb {_version('dbt-duckdb')}",
        f"- DuckDB settings: memory_limit {settings['memory_limit']}, "
        f"threads {settings['threads']} (BLSU_DUCKDB_MEMORY_LIMIT, BLSU_DUCKDB_THREADS)",
        f"- reproduce: `{command}`",
        f"- targets: {TARGETS}",
        "",
        "Wall time and peak RSS (summed over the process tree, polled every 0.1 s) of each step, "
        "each a child process; input = rows of the used raw files. *floor*: the decode floor, "
        "DuckDB (the warehouse's threads) running `select count(*), max(hash(columns(*)))` on "
        "every used raw file once. Refreshes include the statistics that `blsu refresh` runs "
        "after the build. The `.sav` steps replace the register by a .sav file on a fresh "
        "warehouse and ingest folder.",
        "",
        "| scale | input rows | input MiB | step | wall (s) | s per M input rows | "
        "peak RSS (MiB) | exit | note |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        for step in run.steps:
            per_m = step.wall_s / (run.input_rows / 1e6) if run.input_rows else 0.0
            lines.append(
                f"| {run.scale:g} | {run.input_rows:,} | {run.input_mib:.0f} | {step.name} | "
                f"{step.wall_s:.1f} | {per_m:.2f} | {step.peak_rss_mib:.0f} | {step.exit_code} | "
                f"{step.note} |"
            )
    if runs:
        lines += ["", *targets_table(max(runs, key=lambda r: r.scale))]
    for run in runs:
        if run.top_nodes:
            lines += [
                "",
                f"Costliest dbt nodes of the build at {run.scale:g} x national "
                "(run_results.json, s):",
                "",
                "| node | s |",
                "|---|---:|",
                *[f"| `{node}` | {secs:.1f} |" for node, secs in run.top_nodes],
            ]
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
        "--scale",
        type=float,
        nargs="+",
        default=[1.0],
        choices=sorted(PRESET_BY_SCALE),
        help="fractions of national size",
    )
    parser.add_argument(
        "--register-sav",
        type=float,
        nargs="*",
        default=[],
        metavar="SCALE",
        help="at these scales, after the Parquet steps, build and refresh with the register as "
        "a .sav file (written whole by pyreadstat, in memory, before the measured steps)",
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
    if args.register_sav:
        command += " --register-sav " + " ".join(f"{s:g}" for s in args.register_sav)
    analysis = kept_analysis()
    runs: list[ScaleRun] = []
    for scale in sorted(args.scale):
        runs.append(run_scale(scale, log, scale in args.register_sav))
        save_run(runs[-1])
        RESULTS.write_text(render(runs, command, analysis), encoding="utf-8")
    print(f"results: {RESULTS}; log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
