"""Compare two builds: `marts.fct_study_persons` row for row and every file of the results.

    .venv/bin/python scripts/compare_builds.py DB_A RESULTS_A DB_B RESULTS_B
    .venv/bin/python scripts/compare_builds.py --snapshot DB RESULTS OUT

A build is a warehouse file and its results folder. `--snapshot` keeps one for later: the mart
exported to `OUT/fct_study_persons.parquet` and a copy of the results in `OUT/results`; a
Parquet file of the mart may then stand wherever a warehouse file is named, e.g.
`compare_builds.py OUT/fct_study_persons.parquet OUT/results data/blsu.duckdb results`.

Exit 0 when the mart and every results file are identical (the results record, which names the
code version and paths, is left out; in SVG files the element ids matplotlib draws at random
when no hash salt is set are read as equal); otherwise lists the differences and exits 1.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

import duckdb

SKIPPED = {"warehouse_record.json"}  # the record names the code version
MART = "marts.fct_study_persons"
SVG_ID = re.compile(rb"\b([mp])[0-9a-f]{10}\b")  # matplotlib's marker and clip-path ids


def mart_rows(source: Path) -> list[tuple[object, ...]]:
    """The mart's rows in a fixed order, from a warehouse file or a Parquet export of it."""
    if source.suffix == ".parquet":
        con = duckdb.connect()
        relation = f"read_parquet('{source}')"
    else:
        con = duckdb.connect(str(source), read_only=True)
        relation = MART
    try:
        return con.execute(f"select * from {relation} order by all").fetchall()
    finally:
        con.close()


def content(path: Path) -> bytes:
    data = path.read_bytes()
    return SVG_ID.sub(rb"\1<id>", data) if path.suffix == ".svg" else data


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(content(path)).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in SKIPPED
    }


def snapshot(db: Path, results: Path, out: Path) -> int:
    """Export the mart to Parquet and copy the results folder into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        target = out / "fct_study_persons.parquet"
        con.execute(f"copy (select * from {MART} order by all) to '{target}' (format parquet)")
    finally:
        con.close()
    shutil.copytree(results, out / "results", dirs_exist_ok=True)
    print(f"kept {MART} and {len(digests(results))} results files in {out}")
    return 0


def compare(db_a: Path, results_a: Path, db_b: Path, results_b: Path) -> int:
    problems = []
    rows_a, rows_b = mart_rows(db_a), mart_rows(db_b)
    if rows_a != rows_b:
        problems.append(f"fct_study_persons differs ({len(rows_a)} vs {len(rows_b)} rows)")
    files_a, files_b = digests(results_a), digests(results_b)
    for name in sorted(set(files_a) | set(files_b)):
        if files_a.get(name) != files_b.get(name):
            problems.append(f"results/{name} differs")
    for problem in problems:
        print(problem)
    print(f"fct_study_persons: {len(rows_a)} rows; results files: {len(files_a)}")
    if not problems:
        print("identical")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--snapshot"] and len(argv) == 4:
        return snapshot(*map(Path, argv[1:]))
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    return compare(*map(Path, argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
