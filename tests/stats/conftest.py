"""Fixtures: a simulated 630/630/630 warehouse and helpers for hand-made ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_db import simulate_study, write_marts


@pytest.fixture(scope="session")
def simulated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file with the marts of a simulated study (fixed seed)."""
    persons, careers, dq = simulate_study(seed=7)
    return write_marts(tmp_path_factory.mktemp("sim") / "blsu.duckdb", persons, careers, dq)


@pytest.fixture(scope="session")
def simulated_run(simulated_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """One statistics run on the simulated warehouse: (summary, results folder)."""
    from python_stats import run

    results = tmp_path_factory.mktemp("results")
    return run(simulated_db, results, progress=False), results
