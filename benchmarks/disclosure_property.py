"""The property test's longer run: 1,000 random studies (tests/stats/random_marts.py), the
statistics (no figures) and the output check with the warehouse on each; every run must end
without error, library warning or finding. Writes a summary line per failure and the totals.

    .venv/bin/python benchmarks/disclosure_property.py [--datasets 1000] [--first 0]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "stats"))

from property_run import property_run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--first", type=int, default=0, help="first seed")
    args = parser.parse_args()
    wall, cpu = time.perf_counter(), time.process_time()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="blsu-property-") as tmp:
        for seed in range(args.first, args.first + args.datasets):
            outcome = property_run(seed, Path(tmp) / str(seed))
            shutil.rmtree(Path(tmp) / str(seed), ignore_errors=True)
            if not outcome.ok:
                failed += 1
                print(f"seed {seed}: {outcome.error} exit {outcome.check_exit} "
                      f"{outcome.findings[:3]} {outcome.warnings[:3]}", flush=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{args.datasets} datasets (seeds {args.first}-{args.first + args.datasets - 1}): "
          f"{args.datasets - failed} passed, {failed} failed; "
          f"{time.perf_counter() - wall:.0f} s wall, {time.process_time() - cpu:.0f} s CPU, "
          f"peak RSS {usage.ru_maxrss // 1024} MiB, load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
