"""The warehouse fits the trajectory model once per input: a second build on the same extracts,
or one with a var the fit does not read, reuses the stored fit; new OM data, a trajectory var or
a damaged entry make it fit again.

One small site (63 offenders, K = 1..3, one start per K) built twice with `blsu build`; the
other cases run the trajectory model alone with dbt on copies of that warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from blsu_synth import generate
from gbtm import cache

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FITS = "intermediate.int_trajectory_fits"
VARS = {"trajectory_groups": [1, 2, 3]}
REUSED, FITTING = "int_trajectory_fits: stored fit reused", "int_trajectory_fits: no stored fit"


class Site:
    def __init__(self, root: Path) -> None:
        self.root, self.raw, self.db = root, root / "raw", root / "blsu.duckdb"
        self.store = root / "blsu.duckdb.ingest" / cache.FOLDER_NAME

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "BLSU_RAW_DIR": str(self.raw), "BLSU_DB": str(self.db),
                "BLSU_RESULTS": str(self.root / "results"), "BLSU_TRAJECTORY_STARTS": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **extra}

    def build(self) -> str:
        proc = subprocess.run(
            [str(BIN / "blsu"), "build", "--verbose", "--vars", json.dumps(VARS)],
            cwd=self.root, env=self.env(), capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-5000:]
        return proc.stdout + proc.stderr  # --verbose: dbt's log on stderr

    def fits(self, db: Path | None = None) -> pd.DataFrame:
        con = duckdb.connect(str(db or self.db), read_only=True)
        try:
            return con.execute(f"select * from {FITS} order by n_groups, trajectory_group").df()
        finally:
            con.close()


def dbt(site: Site, db: Path, select: str, dbt_vars: dict[str, object], **env: str) -> str:
    """`dbt build` of `select` (no tests) into `db`, with the site's raw folder and store."""
    proc = subprocess.run(
        [str(BIN / "dbt"), "build", "--profiles-dir", "profiles", "--select", select,
         "--exclude-resource-type", "test", "unit_test", "--target-path",
         str(db.with_name("target")), "--vars", json.dumps({**VARS, **dbt_vars})],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=site.env(**{"BLSU_DB": str(db), "BLSU_INGEST_DIR": str(site.store.parent), **env}))
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-5000:]
    return proc.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, list[str], pd.DataFrame]:
    """Small extracts built twice; the output of both builds and the first build's fits."""
    site = Site(tmp_path_factory.mktemp("fit_reuse"))
    generate(site.raw, size="small", progress=False, force=True)
    first = site.build()
    fitted = site.fits()
    second = site.build()
    return site, [first, second], fitted


def copy_of(site: Site, tmp_path: Path) -> Path:
    db = tmp_path / "copy" / "blsu.duckdb"
    db.parent.mkdir()
    shutil.copyfile(site.db, db)
    return db


def test_a_second_build_on_the_same_extracts_reuses_the_stored_fit(built):
    site, (first, second), fitted = built
    assert FITTING in first and "int_trajectory_fits: fit stored" in first
    assert REUSED in second and FITTING not in second
    assert [p for p in site.store.glob("*.parquet") if p.stem in second]
    reused = site.fits()
    pd.testing.assert_frame_equal(reused, fitted, check_exact=True)
    assert sorted(fitted["n_groups"].unique()) == [1, 2, 3]


def test_a_var_the_fit_does_not_read_reuses_it(built, tmp_path):
    site = built[0]
    out = dbt(site, copy_of(site, tmp_path), "int_trajectory_fits",
              {"victim_window_end": "2024-12-31", "matching_seed": 7})
    assert REUSED in out


def test_a_trajectory_var_fits_again(built, tmp_path):
    site = built[0]
    out = dbt(site, copy_of(site, tmp_path), "int_trajectory_fits", {"trajectory_seed": 7})
    assert FITTING in out
    assert len(list(site.store.glob("*.parquet"))) == 2


def test_new_om_data_fit_again(built, tmp_path):
    site = built[0]
    other = Site(tmp_path / "other")
    shutil.copytree(site.raw, other.raw)
    member = pd.read_parquet(next((other.raw / "BLSU_STEEKPROEF").glob("*.parquet"))).iloc[0]
    year = other.raw / "OMZAKEN" / "OMZAKEN2015TABV1.parquet"
    cases = pd.read_parquet(year)
    extra = {"RINPERSOONS": "R", "RINPERSOON": member["RINPERSOON"],
             "OMZAAKNUMMER": "OM9999999999", "OMINSCHRIJVINGSDATUM": "20150601",
             "OMPLEEGDATUM": "20150501", "FEITCODE": "SR:310"}
    corrected = pd.concat([cases, pd.DataFrame([extra])], ignore_index=True).astype(cases.dtypes)
    corrected.to_parquet(year.with_name("OMZAKEN2015TABV2.parquet"), index=False)
    # the other site's own ingest folder, the first site's store
    out = dbt(other, tmp_path / "blsu.duckdb", "+int_trajectory_fits", {},
              BLSU_INGEST_DIR=str(tmp_path / "ingest"), BLSU_TRAJECTORY_CACHE=str(site.store))
    assert FITTING in out
    assert str(site.store) in out


def test_a_damaged_entry_is_fitted_again(built, tmp_path):
    site = built[0]
    store = tmp_path / "store"
    shutil.copytree(site.store, store)
    db = copy_of(site, tmp_path)
    (entry,) = [p for p in store.glob("*.parquet") if p.stem in built[1][1]]  # the build's
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    out = dbt(site, db, "int_trajectory_fits", {}, BLSU_TRAJECTORY_CACHE=str(store))
    assert f"the stored fit {entry} is not used" in out and FITTING not in out
    assert "int_trajectory_fits: fit stored" in out
    pd.testing.assert_frame_equal(site.fits(db), built[2], check_exact=True)
