"""One property run: the statistics and `blsu check-output` on one random study
(tests/stats/random_marts.py); shared by the property test and benchmarks/disclosure_property.py.
"""

from __future__ import annotations

import argparse
import io
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from random_marts import random_study, write_study

from python_stats import output_check
from python_stats.pipeline import run as run_statistics


@dataclass(frozen=True)
class Outcome:
    seed: int
    error: str  # '' when the run and the check went through
    check_exit: int
    findings: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.error and self.check_exit == 0 and not self.findings \
            and not self.warnings


def property_run(seed: int, folder: Path) -> Outcome:
    """Write the study of `seed`, run the statistics (no figures) and check the results with
    the warehouse, as `blsu check-output DIR --warehouse FILE` does."""
    folder.mkdir(parents=True, exist_ok=True)
    db = write_study(folder / "blsu.duckdb", random_study(seed))
    results = folder / "results"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            run_statistics(db, results, progress=False, seed=seed, draw=False)
        except Exception as exc:  # any exception is what the test looks for
            return Outcome(seed, f"{type(exc).__name__}: {exc}", -1, [],
                           [str(w.message) for w in caught])
        args = argparse.Namespace(folder=results, warehouse=db, round_base=None,
                                  min_cell=None, report=None)
        out = io.StringIO()
        with redirect_stdout(out):
            code = output_check.run(args)
    lines = [line for line in out.getvalue().splitlines() if ": row " in line
             or ": column " in line]
    return Outcome(seed, "", code, lines, [str(w.message) for w in caught])
