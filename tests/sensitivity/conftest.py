"""One small built site (extracts, warehouse, results) and one `blsu sensitivity` run on it,
shared by the sensitivity tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from blsu_synth import generate

BLSU = str(Path(sys.executable).with_name("blsu"))
MAIN_VARIANTS = """
variants:
  - name: same
    family: restated
    description: Restates the main build's victimisation window.
    vars: {victim_window_end: "2023-12-31"}
  - name: window_to_2017
    family: victim_window
    description: Counts police registrations as victimisation from 2010 to 2017.
    vars: {victim_window_end: "2017-12-31"}
"""


@dataclass(frozen=True)
class Site:
    """A folder with raw extracts, a warehouse and results, and `blsu` run on them."""

    root: Path
    db: Path
    results: Path

    @classmethod
    def at(cls, root: Path) -> Site:
        return cls(root, root / "blsu.duckdb", root / "results")

    def blsu(self, *args: str) -> subprocess.CompletedProcess[str]:
        # one trajectory start: the tests compare variants with the main build, not fits
        env = {**os.environ, "BLSU_RAW_DIR": str(self.root / "raw"), "BLSU_DB": str(self.db),
               "BLSU_RESULTS": str(self.results), "BLSU_TRAJECTORY_STARTS": "1",
               "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        command = [BLSU] if Path(BLSU).exists() else [sys.executable, "-m", "blsu.cli"]
        return subprocess.run([*command, *args], env=env, cwd=self.root, capture_output=True,
                              text=True, timeout=900)

    def variants(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path


@dataclass(frozen=True)
class Run:
    """A finished `blsu sensitivity` run."""

    site: Site
    proc: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Small synthetic extracts, their warehouse and results (`blsu run`)."""
    site = Site.at(tmp_path_factory.mktemp("sensitivity"))
    generate(site.root / "raw", size="small", progress=False, force=True)
    proc = site.blsu("run", "--quiet", "--size", "small")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]
    return site


@pytest.fixture(scope="session")
def ran(built: Site) -> Run:
    """`blsu sensitivity` with a variant restating the main vars and one with another window."""
    path = built.variants("main_variants.yml", MAIN_VARIANTS)
    proc = built.blsu("sensitivity", "--variants", str(path), "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]
    return Run(built, proc)
