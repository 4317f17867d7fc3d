"""A short soak of the refresh (benchmarks/soak.py runs the long one): random landings,
corrections, withdrawals and injected failures, each checked against a full build."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_refreshes_with_failures_end_in_a_full_build_or_the_last_good_state(
    tmp_path: Path,
) -> None:
    spec = importlib.util.spec_from_file_location("soak", ROOT / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    soak = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = soak  # its dataclasses look their module up there
    spec.loader.exec_module(soak)
    lines: list[str] = []
    figures = soak.soak(tmp_path, iterations=3, seed=3, say=lines.append)
    assert figures.mismatches == [], "\n".join(lines)
    # seed 3: a failed statistics run, then a refresh that catches up, then a failed swap
    assert figures.outcomes == {"exit 1": 2, "refreshed": 1}, "\n".join(lines)
    assert figures.checked_against_full_build == 1
