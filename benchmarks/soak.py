"""Soak test of the refresh: many refreshes with random landings, corrections, removals and
injected failures, each checked against a full build from the same raw folder.

Every iteration changes the raw folder (a new SLOAANG or OMZAKEN year lands, a year gets a
corrected version, a correction is withdrawn again), then runs `blsu refresh`, some of the time
with a failure: a kill -9 at a random moment, a kill between the two renames of the swap, a full
disk at the copy or the checkpoint, results that cannot be written or swapped. Afterwards:

- a refresh that succeeded must leave exactly what a full `blsu build` plus `blsu stats` of the
  same raw folder leaves (every mart and intermediate table row for row, every results table,
  the report text, the summary and the warehouse record);
- a refresh that failed must leave the last good state, once the next command has taken the
  lock (which repairs a swap a kill interrupted); the next refresh then catches up.

    .venv/bin/python benchmarks/soak.py --iterations 50 --seed 1

prints one line per iteration and the figures at the end. tests/refresh/test_soak.py runs a few
iterations of the same code in the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
BLSU = str(Path(sys.executable).with_name("blsu"))
FAULTS = ("kill", "kill:swap", "copy", "checkpoint", "results", "swap-results")
COMPARED_SUFFIXES = (".csv", ".md", ".json")


@dataclass
class Site:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    def env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "BLSU_RAW_DIR": str(self.raw),
            "BLSU_DB": str(self.root / f"{name}.duckdb"),
            "BLSU_RESULTS": str(self.root / f"{name}_results"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def blsu(self, name: str, *args: str, fault: str | None = None,
             kill_after: float | None = None) -> int:
        env = self.env(name)
        if fault:
            env["BLSU_INJECT_FAULT"] = fault
        proc = subprocess.Popen([BLSU, *args], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return -9
        if "Traceback" in err:
            raise AssertionError(f"traceback from blsu {' '.join(args)}:\n{err[-3000:]}")
        self.last_output = out + err
        return proc.returncode


def state(db: Path, results: Path) -> dict[str, object]:
    """Every table of marts and intermediate, row for row, and the comparable results files."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('marts', 'intermediate') order by 1, 2"
        ).fetchall()
        out: dict[str, object] = {
            f"{s}.{t}": con.execute(f'select * from "{s}"."{t}" order by all').fetchall()
            for s, t in tables
        }
    finally:
        con.close()
    for path in sorted(results.iterdir()):
        if path.suffix in COMPARED_SUFFIXES:
            out[f"results/{path.name}"] = path.read_bytes()
    return out


def differences(a: dict[str, object], b: dict[str, object]) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def newest(folder: Path, prefix: str) -> tuple[int, Path]:
    files = sorted(folder.glob(f"{prefix}*.parquet"))
    years = [(int(p.name[len(prefix):len(prefix) + 4]), p) for p in files]
    return max(years)


def land(site: Site, rng: random.Random) -> str:
    dataset, prefix, tail = rng.choice(
        [("SLOAANG", "SLOAANG", "CBKV1"), ("OMZAKEN", "OMZAKEN", "TABV1")]
    )
    year, path = newest(site.raw / dataset, prefix)
    target = site.raw / dataset / f"{prefix}{year + 1}{tail}.parquet"
    shutil.copy2(path, target)
    return f"{dataset} {year + 1} lands"


def correct(site: Site, rng: random.Random) -> str:
    folder = site.raw / "SLOAANG"
    path = rng.choice(sorted(folder.glob("SLOAANG*.parquet")))
    year = int(path.name[7:11])
    versions = sorted(int(p.stem.split("V")[-1]) for p in folder.glob(f"SLOAANG{year}CBKV*"))
    table = pq.read_table(path)
    keep = pc.equal(pc.bit_wise_and(pa.array(range(table.num_rows)), 1), rng.randint(0, 1))
    target = folder / f"SLOAANG{year}CBKV{versions[-1] + 1}.parquet"
    pq.write_table(table.filter(keep), target)
    return f"SLOAANG {year} V{versions[-1] + 1} corrects"


def withdraw(site: Site, rng: random.Random) -> str:
    folder = site.raw / "SLOAANG"
    by_year: dict[str, list[Path]] = {}
    for path in folder.glob("SLOAANG*CBKV*.parquet"):
        by_year.setdefault(path.name[7:11], []).append(path)
    corrected = [sorted(paths, key=lambda p: int(p.stem.split("V")[-1]))
                 for paths in by_year.values() if len(paths) > 1]
    if not corrected:
        return correct(site, rng)
    path = rng.choice(corrected)[-1]
    path.unlink()
    return f"{path.name} removed"


@dataclass
class Figures:
    iterations: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    checked_against_full_build: int = 0
    checked_against_last_good: int = 0
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0


def recover(site: Site) -> None:
    """What the next command does first under the lock: repair a swap, clear scratch."""
    sys.path.insert(0, str(ROOT))
    from blsu.jobs import prepare
    from blsu.lock import warehouse_lock
    from blsu_core.paths import Paths

    env = site.env("site")
    paths = Paths(Path(env["BLSU_RAW_DIR"]), Path(env["BLSU_DB"]), Path(env["BLSU_RESULTS"]))
    with warehouse_lock(paths.db, "soak check"):
        prepare(paths, "soak check")


def soak(root: Path, iterations: int, seed: int, fault_share: float = 0.4,
         say=print) -> Figures:
    from blsu_synth import generate

    rng = random.Random(seed)
    site = Site(root)
    generate(site.raw, size="small", progress=False, force=True)
    figures = Figures()
    start = time.perf_counter()
    if site.blsu("site", "refresh") != 0:
        raise AssertionError(f"first refresh failed:\n{site.last_output[-3000:]}")
    db, results = root / "site.duckdb", root / "site_results"
    good = state(db, results)
    for index in range(1, iterations + 1):
        change = rng.choice([land, correct, withdraw])(site, rng)
        fault = rng.choice(FAULTS) if rng.random() < fault_share else None
        kill_after = rng.uniform(0.5, 8.0) if fault == "kill" else None
        code = site.blsu("site", "refresh", fault=None if fault == "kill" else fault,
                         kill_after=kill_after)
        outcome = {0: "refreshed", 3: "nothing new", -9: "killed", 137: "killed"}.get(
            code, f"exit {code}")
        figures.outcomes[outcome] += 1
        if fault:
            figures.faults[fault] += 1
        recover(site)
        now = state(db, results)
        if code == 0:
            shutil.rmtree(root / "full_results", ignore_errors=True)
            (root / "full.duckdb").unlink(missing_ok=True)
            for args in (("build", "--quiet"), ("stats", "--quiet")):
                if site.blsu("full", *args) != 0:
                    raise AssertionError(f"full {args[0]} failed:\n{site.last_output[-3000:]}")
            reference = state(root / "full.duckdb", root / "full_results")
            figures.checked_against_full_build += 1
            good = now
        else:
            reference = good
            figures.checked_against_last_good += 1
        wrong = differences(now, reference)
        if wrong:
            figures.mismatches.append(f"iteration {index}: {', '.join(wrong)}")
        figures.iterations = index
        say(f"{index:3d} {change:<38} fault={fault or '-':<13} {outcome:<11} "
            f"{'OK' if not wrong else 'MISMATCH ' + ', '.join(wrong)}")
    figures.seconds = time.perf_counter() - start
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temp folder)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="blsu-soak-"))
    figures = soak(root, args.iterations, args.seed)
    print(f"\n{figures.iterations} iterations in {figures.seconds:.0f} s; outcomes "
          f"{dict(figures.outcomes)}; faults {dict(figures.faults)}; compared with a full build "
          f"{figures.checked_against_full_build}x, with the last good state "
          f"{figures.checked_against_last_good}x; mismatches: {len(figures.mismatches)}")
    for line in figures.mismatches:
        print(line)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if figures.mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
