"""Compare two builds: `marts.fct_study_persons` row for row and every file of the results.

    .venv/bin/python scripts/compare_builds.py DB_A RESULTS_A DB_B RESULTS_B

Exit 0 when the mart and every results file are identical (the results record, which names the
code version and paths, is left out); otherwise lists the differences and exits 1.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import duckdb

SKIPPED = {"warehouse_record.json"}  # the record names the code version
QUERY = "select * from marts.fct_study_persons order by all"


def mart_rows(db: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(QUERY).fetchall()
    finally:
        con.close()


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in SKIPPED
    }


def main(argv: list[str]) -> int:
    db_a, results_a, db_b, results_b = map(Path, argv)
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
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
