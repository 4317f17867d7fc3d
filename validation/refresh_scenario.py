"""The refresh scenario on a folder of extracts the project did not make itself, with three
checks after every step.

Steps: build (`blsu run`); a corrected police year lands (SLOAANG<year>CBKV2: a copy of V1
with a few of the offenders' rows changed and a few dropped); a new year lands (SLOAANG2024CBKV1:
the newest year with every date a year later); a repeat refresh (nothing new: exit 3); a
corrupt file lands (a truncated Parquet file: exit 1, warehouse and results unchanged); recovery
(the file fixed, or removed).

After every step: validation/recompute.py (every exported number recomputed from the marts),
`blsu check-output --warehouse` and validation/outside_checker.py, each of which must exit 0.

    .venv/bin/python validation/refresh_scenario.py WORKDIR --seed N [--size small]
        [--recovery fix|remove]

WORKDIR is emptied and gets raw/, blsu.duckdb and results/. Exit 1 when a step's exit code or a
check is not what it should be.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
BLSU = ROOT / ".venv" / "bin" / "blsu"


def run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    return done.returncode, (done.stdout + done.stderr).strip()


def digest(paths: list[Path]) -> str:
    """One hash of the warehouse file and every file of the results folder."""
    h = hashlib.sha256()
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                h.update(str(f.relative_to(path.parent)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def offenders(raw: Path) -> set[str]:
    sample = next((raw / "BLSU_STEEKPROEF").glob("*.parquet"))
    return set(pq.read_table(sample).column("RINPERSOON").to_pylist())


def corrected_year(raw: Path, year: int, keys: set[str]) -> str:
    """V2 of a police year: offenders' rows get another offence code or are dropped, a few
    of their incidents are registered twice as new incidents."""
    folder = raw / "SLOAANG"
    table = pq.read_table(folder / f"SLOAANG{year}CBKV1.parquet")
    rows = table.to_pylist()
    mine = [i for i, r in enumerate(rows) if r["RINPERSOON"] in keys]
    codes = sorted({r["FEITCODE"] for r in rows if r["FEITCODE"]})
    drop = set(mine[::3])
    for n, i in enumerate(mine[1::3]):
        rows[i]["FEITCODE"] = codes[(7 * n) % len(codes)]
    extra = [dict(rows[i], VOORVALNUMMER=f"{rows[i]['VOORVALNUMMER']}9") for i in mine[2::3]]
    kept = [r for i, r in enumerate(rows) if i not in drop] + extra
    out = pa.Table.from_pylist(kept, schema=table.schema)
    pq.write_table(out, folder / f"SLOAANG{year}CBKV2.parquet")
    return (f"SLOAANG{year}CBKV2: {len(drop)} offender rows dropped, {len(mine[1::3])} recoded, "
            f"{len(extra)} added")


def shift_year(value: pa.Array) -> pa.Array:
    """YYYYMMDD text one year later (29 February becomes 28 February)."""
    out = []
    for v in value.to_pylist():
        if v and len(v) == 8 and v.isdigit():
            y, md = int(v[:4]) + 1, v[4:]
            out.append(f"{y}{'0228' if md == '0229' else md}")
        else:
            out.append(v)
    return pa.array(out, type=pa.string())


def new_year(raw: Path) -> str:
    folder = raw / "SLOAANG"
    table = pq.read_table(folder / "SLOAANG2023CBKV1.parquet")
    for name in ("PLEEGDATUM", "REGISTRATIEDATUM"):
        table = table.set_column(table.schema.get_field_index(name), name,
                                 shift_year(table.column(name).combine_chunks()))
    index = table.schema.get_field_index("VOORVALNUMMER")
    table = table.set_column(index, "VOORVALNUMMER", pc.binary_join_element_wise(
        table.column("VOORVALNUMMER"), pa.scalar("24"), ""))
    pq.write_table(table, folder / "SLOAANG2024CBKV1.parquet")
    return f"SLOAANG2024CBKV1: {table.num_rows} rows, 2023 moved a year on"


def corrupt(raw: Path, year: int) -> Path:
    source = raw / "SLOAANG" / f"SLOAANG{year}CBKV1.parquet"
    target = raw / "SLOAANG" / f"SLOAANG{year}CBKV2.parquet"
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def tables(results: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(results.glob("*.csv"))} \
        if results.is_dir() else {}


def checks(work: Path, env: dict[str, str]) -> list[tuple[str, int, str]]:
    results, db = work / "results", work / "blsu.duckdb"
    out = []
    for name, args in (
        ("recompute", [str(PY), "validation/recompute.py", str(results), "--warehouse", str(db),
                       "--quiet"]),
        ("check-output", [str(BLSU), "check-output", str(results), "--warehouse", str(db)]),
        ("outside", [str(PY), "validation/outside_checker.py", str(results), str(db)]),
    ):
        rc, text = run(args, env)
        out.append((name, rc, text.splitlines()[-1] if text else ""))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", default="small")
    parser.add_argument("--recovery", choices=("fix", "remove"), default="fix")
    parser.add_argument("--corrected-year", type=int, default=2019)
    args = parser.parse_args(argv)
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    raw = work / "raw"
    env = {**os.environ, "BLSU_RAW_DIR": str(raw), "BLSU_DB": str(work / "blsu.duckdb"),
           "BLSU_RESULTS": str(work / "results")}
    rc, text = run([str(BLSU), "generate", "--size", args.size, "--seed", str(args.seed)],
                   env)
    if rc:
        print(text)
        return 1
    state = [work / "blsu.duckdb", work / "results"]
    failures = 0

    def step(name: str, args_: list[str], want: int, note: str = "",
             unchanged: bool = False) -> None:
        nonlocal failures
        before = digest(state) if unchanged else ""
        old_tables = tables(work / "results")
        start = time.monotonic()
        rc, text = run(args_, env)
        seconds = time.monotonic() - start
        last = [line for line in text.splitlines() if line.strip()]
        message = last[-1] if rc else next((x for x in last if x.startswith(
            ("refreshed", "nothing new", "wrote"))), last[-1] if last else "")
        ok = rc == want
        if unchanged:
            same = digest(state) == before
            ok = ok and same
            message += f" [warehouse and results {'unchanged' if same else 'CHANGED'}]"
        new_tables = tables(work / "results")
        changed = sorted(k for k in new_tables if old_tables.get(k) != new_tables[k])
        print(f"{name}: exit {rc} (want {want}) in {seconds:.0f} s{': ' + note if note else ''}"
              f"\n    {message}\n    CSV files changed: {', '.join(changed) or 'none'}")
        for check, crc, line in checks(work, env):
            print(f"    {check}: exit {crc}: {line}")
            ok = ok and crc == 0
        failures += not ok

    step("build", [str(BLSU), "run"], 0)
    keys = offenders(raw)
    note = corrected_year(raw, args.corrected_year, keys)
    step("corrected year", [str(BLSU), "refresh"], 0, note)
    step("new year", [str(BLSU), "refresh"], 0, new_year(raw))
    step("repeat", [str(BLSU), "refresh"], 3)
    bad = corrupt(raw, 2021)
    step("corrupt file", [str(BLSU), "refresh"], 1, f"{bad.name} truncated", unchanged=True)
    if args.recovery == "fix":
        bad.unlink()
        note = corrected_year(raw, 2021, keys)
        step("recovery (file fixed)", [str(BLSU), "refresh"], 0, note)
    else:
        bad.unlink()
        step("recovery (file removed)", [str(BLSU), "refresh"], 3, f"{bad.name} removed")
    window = '{victim_window_end: "2024-12-31"}'
    step("window moved to 2024", [str(BLSU), "refresh", "--vars", window], 0,
         f"--vars {window}")
    verdict = "all steps pass" if not failures else f"{failures} step(s) fail"
    print(f"scenario seed {args.seed}: {verdict}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
