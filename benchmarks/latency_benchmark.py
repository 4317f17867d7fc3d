"""Latency of the commands a user types and waits for: `blsu --help`, `blsu sql "select 1"` and
an analysis query by name (`blsu sql lvb_share_by_group`).

Each command runs in a child process, as a user starts it; the table gives the median wall time
of `--runs` runs (5) and the CPU time of the process tree. The analysis query is measured twice:
its first run after a build (this version runs the SQL the build compiled and stored; a version
without stored SQL compiles with dbt, without dbt's saved parse) and its repeat (median of the
runs). `python -X importtime` shows what `blsu --help` and `blsu sql "select 1"` import: the
time of all imports, the costliest by cumulative time, and whether dbt, scipy, the trajectory
estimator (gbtm) or statsmodels are among them.

With `--before BLSU` (the `blsu` of another version, e.g. `<checkout>/.venv/bin/blsu`) the same
commands run with that version too, in the same run and alternating with this one, so that the
ratios hold when the machine is shared; it reads a copy of the same warehouse, and the analysis
query's rows must equal this version's.

The warehouse: in `--work` (default benchmarks/cache/latency), `blsu run --quiet` when there is
none yet (default synthetic extracts, build, statistics), else `blsu build --quiet`, so that the
first analysis query is always the first after a build. Writes benchmarks/RESULTS_latency.md
(everything from its `## Analysis` heading on is kept). Usage:

    .venv/bin/python benchmarks/latency_benchmark.py [--work DIR] [--before BLSU] [--runs 5]

Targets (docs/sql.md): `blsu --help` and `blsu sql "select 1"` at most 1 s, a repeated analysis
query at most 2 s, on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS_latency.md"
BLSU = Path(sys.executable).with_name("blsu")
ANALYSIS = "## Analysis"  # kept when the file is rewritten
QUERY = "lvb_share_by_group"
HEAVY = ("dbt", "scipy", "gbtm", "statsmodels")
TOP_IMPORTS = 12
SQL_TARGET = "blsu.duckdb.sql-target"  # where `blsu sql` compiles with dbt (both versions)
#: what a build does once to store the analyses: compile all of them (blsu.analyses)
COMPILE_ALL = (
    "from blsu.analyses import compile_all; from blsu_core.paths import Paths; "
    "compile_all(Paths.from_env(), {})"
)


@dataclass(frozen=True)
class Version:
    """One `blsu` to measure and the warehouse it reads."""

    label: str
    blsu: Path
    work: Path  # holds blsu.duckdb, the results and (for this version) the raw extracts
    raw: Path

    @property
    def python(self) -> Path:
        return self.blsu.with_name("python")

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "BLSU_RAW_DIR": str(self.raw),
            "BLSU_DB": str(self.work / "blsu.duckdb"),
            "BLSU_RESULTS": str(self.work / "results"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "COLUMNS": "100",
        }

    def commit(self) -> str:
        checkout = self.blsu.resolve().parents[2]
        proc = subprocess.run(
            ["git", "-C", str(checkout), "log", "-1", "--format=commit %h of %cs"],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.stdout.strip() or "commit unknown"


@dataclass
class Runs:
    """The runs of one command with one version: wall and CPU seconds of each."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)


def run(
    version: Version, *args: str, python_args: tuple[str, ...] = ()
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """`blsu ARGS` of a version in a child process (under `python PYTHON_ARGS` when given)."""
    argv = (
        [str(version.python), *python_args, str(version.blsu)]
        if python_args
        else [str(version.blsu)]
    )
    return timed(version, [*argv, *args], f"blsu {' '.join(args)}")


def timed(
    version: Version, argv: list[str], what: str
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ARGV with a version's environment: wall seconds, CPU seconds of its process tree (the
    child and what it waited for), the process. A failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        argv,
        env=version.env(),
        cwd=version.work,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(
            f"{version.label}: {what} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    return wall, cpu, proc


def prepare(after: Version, before: Version | None) -> str:
    """A fresh build in the work folder (the first ever is `blsu run`), and a copy of the
    warehouse for the version before, without its compiled queries; what was done, in words."""
    after.work.mkdir(parents=True, exist_ok=True)
    first = not (after.work / "blsu.duckdb").exists()
    command = ("run", "--quiet") if first else ("build", "--quiet")
    print(f"blsu {' '.join(command)} in {after.work} ...", flush=True)
    wall, _, _ = run(after, *command)
    if before is not None:
        shutil.rmtree(before.work, ignore_errors=True)
        before.work.mkdir(parents=True)
        shutil.copyfile(after.work / "blsu.duckdb", before.work / "blsu.duckdb")
    return f"`blsu {' '.join(command)}` ({wall:.0f} s)"


def files_of(folder: Path) -> dict[Path, int]:
    """The files in a folder with their modification times: a dbt compile changes them."""
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def alternating(versions: list[Version], runs: int, *args: str) -> dict[str, Runs]:
    """`runs` runs of `blsu ARGS` with every version, taking turns."""
    found = {v.label: Runs() for v in versions}
    for _ in range(runs):
        for version in versions:
            wall, cpu, _ = run(version, *args)
            found[version.label].wall.append(wall)
            found[version.label].cpu.append(cpu)
    return found


@dataclass(frozen=True)
class Imports:
    """What a command imported (`python -X importtime`)."""

    total: float  # seconds, all imports
    top: list[tuple[str, int, float]]  # (module, depth, cumulative seconds), costliest first
    heavy: list[str]  # the packages of HEAVY that were imported


def import_times(version: Version, *args: str) -> Imports:
    """Parse the `import time:` lines a command writes to stderr under `-X importtime`."""
    _, _, proc = run(version, *args, python_args=("-X", "importtime"))
    entries = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line[len("import time:") :].split("|", 2)
        if not cumulative.strip().isdigit():
            continue  # the heading
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        entries.append((name.strip(), depth, int(cumulative) / 1e6))
    packages = {name.split(".")[0] for name, _, _ in entries}
    return Imports(
        total=sum(seconds for _, depth, seconds in entries if depth == 0),
        top=sorted(entries, key=lambda e: -e[2])[:TOP_IMPORTS],
        heavy=[p for p in HEAVY if p in packages],
    )


def imports_section(command: str, found: dict[str, Imports]) -> str:
    lines = [f"### `{command}`\n"]
    for label, imports in found.items():
        heavy = ", ".join(imports.heavy) or "none"
        lines.append(
            f"{label}: {imports.total:.2f} s of imports; of dbt, scipy, gbtm, "
            f"statsmodels: {heavy}.\n"
        )
        lines.append("| cumulative (s) | module |\n|---|---|")
        lines += [
            f"| {seconds:.3f} | {'&nbsp;' * 2 * depth}`{name}` |"
            for name, depth, seconds in imports.top
        ]
        lines.append("")
    return "\n".join(lines)


def target_cell(seconds: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"<= {target:g} s: {'met' if seconds <= target else 'NOT met'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "benchmarks" / "cache" / "latency",
        help="folder of the warehouse (built there)",
    )
    parser.add_argument(
        "--before", type=Path, help="the blsu of another version to measure beside this one"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = args.work.resolve()
    after = Version("this version", BLSU, work, work / "raw")
    before = Version("before", args.before, work / "before", work / "raw") if args.before else None
    versions = [v for v in (before, after) if v is not None]
    load_start = load()
    built = prepare(after, before)

    rows: list[tuple[str, dict[str, tuple[float, float]], str, float | None]] = []
    for label, command_args, target in (
        ("`blsu --help`", ("--help",), 1.0),
        ('`blsu sql "select 1"`', ("sql", "select 1"), 1.0),
    ):
        print(f"{label} ...", flush=True)
        found = alternating(versions, args.runs, *command_args)
        rows.append(
            (label, {k: r.median() for k, r in found.items()}, f"median of {args.runs}", target)
        )

    print(f"blsu sql {QUERY}, first after the build ...", flush=True)
    first: dict[str, tuple[float, float]] = {}
    answers: dict[str, str] = {}
    how: dict[str, str] = {}
    for version in versions:
        written = files_of(version.work / SQL_TARGET)
        wall, cpu, proc = run(version, "sql", QUERY)
        first[version.label] = (wall, cpu)
        answers[version.label] = proc.stdout
        compiled = files_of(version.work / SQL_TARGET) != written
        how[version.label] = "compiled by dbt" if compiled else "the stored SQL, without dbt"
    rows.append((f"`blsu sql {QUERY}`, first after a build", first, "1 run", None))
    print(f"blsu sql {QUERY}, repeated ...", flush=True)
    repeat = alternating(versions, args.runs, "sql", QUERY)
    rows.append(
        (
            f"`blsu sql {QUERY}`, repeat",
            {k: r.median() for k, r in repeat.items()},
            f"median of {args.runs}",
            2.0,
        )
    )

    print("the build's compile of analysis/ ...", flush=True)
    compiles = Runs()
    for _ in range(args.runs):
        wall, cpu, _ = timed(after, [str(after.python), "-c", COMPILE_ALL], "compile_all")
        compiles.wall.append(wall)
        compiles.cpu.append(cpu)
    rows.append(
        (
            "a build's compile of every query of analysis/ (once per build, for the stored SQL)",
            {after.label: compiles.median()},
            f"median of {args.runs}",
            None,
        )
    )

    print("python -X importtime ...", flush=True)
    help_imports = {v.label: import_times(v, "--help") for v in versions}
    select_imports = {v.label: import_times(v, "sql", "select 1") for v in versions}
    load_end = load()
    write_results(
        args,
        versions,
        built,
        rows,
        how,
        answers,
        help_imports,
        select_imports,
        load_start,
        load_end,
    )
    print(f"wrote {RESULTS}")


def write_results(
    args: argparse.Namespace,
    versions: list[Version],
    built: str,
    rows: list[tuple[str, dict[str, tuple[float, float]], str, float | None]],
    how: dict[str, str],
    answers: dict[str, str],
    help_imports: dict[str, Imports],
    select_imports: dict[str, Imports],
    load_start: str,
    load_end: str,
) -> None:
    labels = [v.label for v in versions]
    compared = len(versions) > 1
    head = "| command | runs | " + " | ".join(
        f"{label}: wall (s) | {label}: CPU (s)" for label in labels
    )
    head += (" | ratio (before / this version) |" if compared else " |") + " target |\n"
    head += "|---" * (3 + 2 * len(labels) + int(compared)) + "|\n"
    body = ""
    for label, found, runs, target in rows:
        cells = " | ".join(
            f"{found[k][0]:.2f} | {found[k][1]:.2f}" if k in found else "n/a | n/a" for k in labels
        )
        ratio = ""
        if compared:
            ratio = (
                f" | {found['before'][0] / found[labels[-1]][0]:.1f}x" if len(found) > 1 else " |"
            )
        body += (
            f"| {label} | {runs} | {cells}{ratio} | {target_cell(found[labels[-1]][0], target)} |\n"
        )
    busy = max(float(x) for x in (load_start.split(" / ")[0], load_end.split(" / ")[0])) > 1.0
    command = "benchmarks/latency_benchmark.py " + " ".join(
        f"--{name} {value}" for name, value in vars(args).items() if value is not None
    )
    notes = [
        f"`{command}` on {platform.node()} ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}), {time.strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        *(f"- {v.label}: `{v.blsu}` ({v.commit()})" for v in versions),
        f"- warehouse: {built} of the default synthetic extracts; the version before reads a "
        "copy of it"
        if compared
        else f"- warehouse: {built} of the default synthetic extracts",
        f"- load average (1 / 5 / 15 min): {load_start} at the start, {load_end} at the end"
        + (
            " (**above 1.0: another process was using the cores; the absolute times are high, "
            "the ratios, taken alternating in one run, are the comparison**)"
            if busy
            else ""
        ),
        f"- `blsu sql {QUERY}`, first after a build: "
        + "; ".join(f"{label}: {how[label]}" for label in labels)
        + (
            "; the rows are the same"
            if compared and len(set(answers.values())) == 1
            else "; **the rows differ**"
            if compared
            else ""
        ),
    ]
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    analysis = old[old.index(ANALYSIS) :] if ANALYSIS in old else ""
    RESULTS.write_text(
        "# Latency of the commands\n\n" + "\n".join(notes) + "\n\n" + head + body + "\n"
        "## Imports (`python -X importtime`)\n\n"
        f"The {TOP_IMPORTS} costliest imports by cumulative time (nested ones indented; a "
        "package's time includes its nested imports).\n\n"
        + imports_section("blsu --help", help_imports)
        + "\n"
        + imports_section('blsu sql "select 1"', select_imports)
        + "\n"
        + analysis,
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
