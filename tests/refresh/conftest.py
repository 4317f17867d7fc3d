"""A small generated raw folder and one refreshed warehouse, shared by the refresh tests."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from blsu_core.record import read_record, write_record, write_results_record
from blsu_synth import generate

BLSU = str(Path(sys.executable).with_name("blsu"))
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Site:
    """One raw folder, warehouse file and results folder."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def db(self) -> Path:
        return self.root / "blsu.duckdb"

    @property
    def results(self) -> Path:
        return self.root / "results"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "BLSU_RAW_DIR": str(self.raw),
            "BLSU_DB": str(self.db),
            "BLSU_RESULTS": str(self.results),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # these tests judge builds and refreshes against each other, not the trajectory
            # model: one start per number of groups keeps each build's fit short
            "BLSU_TRAJECTORY_STARTS": "1",
            "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
        }

    def blsu(
        self, *args: str, fault: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run `blsu` on this site; `fault` injects a failure (blsu.faults), `env` overrides."""
        command = [BLSU] if Path(BLSU).exists() else [sys.executable, "-m", "blsu.cli"]
        extra = {"BLSU_INJECT_FAULT": fault} if fault else {}
        return subprocess.run(
            [*command, *args],
            env={**self.env(), **extra, **env},
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def copy_to(self, root: Path) -> Site:
        """A copy of the raw folder (mtimes kept), the warehouse and the results.

        The copy's records name its own raw folder, as if it had been built there, so that a
        refresh of the copy sees only the changes a test makes (not a moved raw folder).
        """
        shutil.copytree(self.root, root, symlinks=True)
        for leftover in root.glob("blsu.duckdb.lock"):
            leftover.unlink()
        site = Site(root)
        relocate_records(site)
        return site


def relocate_records(site: Site) -> None:
    """Point the warehouse's and the results' record at the site's raw folder."""
    record = read_record(site.db)
    if record is None:
        return
    moved = dataclasses.replace(record, raw_dir=str(site.raw))
    con = duckdb.connect(str(site.db))
    try:
        write_record(con, moved)
    finally:
        con.close()
    if site.results.is_dir():
        write_results_record(site.results, moved)


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Small synthetic extracts and a warehouse made by a first refresh (a full build)."""
    site = Site(tmp_path_factory.mktemp("refreshed"))
    generate(site.raw, size="small", progress=False, force=True)
    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]
    return site


@pytest.fixture()
def site(refreshed: Site, tmp_path: Path) -> Site:
    """A private copy of the refreshed site that a test may change."""
    return refreshed.copy_to(tmp_path / "site")
