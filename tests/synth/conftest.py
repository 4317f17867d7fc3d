"""Generated folders shared by the generator tests (each generated once per test run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from blsu_synth import generate

SEED = 20240201


@pytest.fixture(scope="session")
def small_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small_parquet")
    generate(out, size="small", seed=SEED, fmt="parquet", progress=False, force=True)
    return out


@pytest.fixture(scope="session")
def small_by_format(
    tmp_path_factory: pytest.TempPathFactory, small_parquet: Path
) -> dict[str, Path]:
    folders = {"parquet": small_parquet}
    for fmt in ("csv", "sav"):
        out = tmp_path_factory.mktemp(f"small_{fmt}")
        generate(out, size="small", seed=SEED, fmt=fmt, progress=False, force=True)
        folders[fmt] = out
    return folders


@pytest.fixture(scope="session")
def default_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("default_parquet")
    generate(out, size="default", seed=SEED, fmt="parquet", progress=False, force=True)
    return out


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "seeds"
