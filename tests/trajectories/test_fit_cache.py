"""The store of trajectory fits (gbtm.cache): one fit per input, verified when read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gbtm import cache
from gbtm.warehouse import fits_table, stored_fits_table

SETTINGS = ("1,2", "2", "3")  # groups, starts, seed as dbt renders them


@pytest.fixture(scope="module")
def counts(small) -> pd.DataFrame:
    """The 120 simulated persons in the layout of int_offender_age_counts."""
    data, _ = small
    return pd.DataFrame({
        "rinpersoons": "R",
        "rinpersoon": pd.Series(data.person_ids[data.person]).str.zfill(9),
        "age": data.age.astype("int64"),
        "is_observed": True,
        "n_cases": data.count.astype("int64"),
        "exposure": data.exposure,
    })


@pytest.fixture(scope="module")
def fresh(counts) -> pd.DataFrame:
    """The table a fit without a store returns."""
    return fits_table(counts, *SETTINGS)


class Fits:
    """Calls of the store with the module's settings, counting the fits actually made."""

    def __init__(self, folder: Path | str | None) -> None:
        self.folder = folder
        self.fitted = 0
        self.said: list[str] = []

    def __call__(self, counts: pd.DataFrame, settings: tuple[str, str, str] = SETTINGS
                 ) -> pd.DataFrame:
        def fit() -> pd.DataFrame:
            self.fitted += 1
            return fits_table(counts, *settings)

        return cache.stored_or_fitted(
            counts, fit_settings(settings), fit, cache.folder_setting(self.folder),
            self.said.append)


def fit_settings(settings: tuple[str, str, str]) -> dict[str, object]:
    from gbtm.warehouse import fit_settings as rendered

    return rendered(*settings)


def test_a_stored_fit_is_returned_exactly_as_fitted_without_fitting_again(tmp_path, counts,
                                                                           fresh):
    fits = Fits(tmp_path)
    first = fits(counts)
    second = fits(counts.sample(frac=1.0, random_state=1))  # row order is no input
    assert fits.fitted == 1
    assert "no stored fit" in fits.said[0] and "stored fit reused" in fits.said[-1]
    for table in (first, second):
        pd.testing.assert_frame_equal(table, fresh, check_exact=True)
        assert list(table.dtypes.astype(str)) == list(fresh.dtypes.astype(str))
    assert len(list(tmp_path.glob("*.parquet"))) == 1


def test_other_age_counts_or_settings_are_fitted_again(tmp_path, counts):
    fits = Fits(tmp_path)
    fits(counts)
    changed = counts.copy()
    changed.loc[changed.index[0], "n_cases"] += 1  # one more OM case at one age
    fits(changed)
    fits(counts, ("1,2", "2", "4"))  # another seed
    fits(counts, ("1,2", "3", "3"))  # more starts
    assert fits.fitted == 4
    assert len(list(tmp_path.glob("*.parquet"))) == 4


def test_the_code_version_reads_every_estimator_module_and_changes_with_one(tmp_path,
                                                                           monkeypatch):
    files, libraries = cache.code_files()
    names = {path.name for path in files}
    assert {"warehouse.py", "fit.py", "model.py", "selection.py", "cache.py"} <= names
    assert "cli.py" not in names and "simulate.py" not in names
    assert {"numpy", "scipy", "pandas"} <= libraries
    before = cache.code_version()
    copy = tmp_path / "gbtm"
    shutil.copytree(cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE", copy)
    assert cache.code_version() == before
    (copy / "fit.py").write_text((copy / "fit.py").read_text() + "\n# edited\n")
    assert cache.code_version()["sources"] != before["sources"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-content", "other-inputs"])
def test_a_damaged_entry_is_fitted_again_and_replaced(tmp_path, counts, fresh, damage):
    fits = Fits(tmp_path)
    fits(counts)
    (entry,) = tmp_path.glob("*.parquet")
    if damage == "garbage":
        entry.write_bytes(b"not a parquet file")
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:-100])
    elif damage == "other-content":  # the stored metadata with a changed value
        table = pq.read_table(entry)
        frame = table.to_pandas()
        frame.loc[0, "loglik"] += 1.0
        changed = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(changed.replace_schema_metadata(table.schema.metadata), entry)
    else:  # a valid entry of other inputs under this key
        fits(counts, ("1,2", "2", "4"))
        other = next(p for p in tmp_path.glob("*.parquet") if p != entry)
        os.replace(other, entry)
    again = fits(counts)
    assert fits.fitted == 2 + (damage == "other-inputs")
    assert any("is not used" in line for line in fits.said)
    pd.testing.assert_frame_equal(again, fresh, check_exact=True)
    reused = fits(counts)  # the entry was replaced by a good one
    assert fits.fitted == 2 + (damage == "other-inputs")
    pd.testing.assert_frame_equal(reused, fresh, check_exact=True)


def test_the_newest_entries_are_kept(tmp_path, counts, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    fits = Fits(tmp_path)
    for seed in ("1", "2", "3"):
        fits(counts, ("1", "1", seed))
        for path in tmp_path.glob("*.parquet"):  # older entries: older times
            os.utime(path, (path.stat().st_mtime - 10, path.stat().st_mtime - 10))
    fits(counts, ("1", "1", "2"))  # a hit makes seed 2 the newest use
    fits(counts, ("1", "1", "4"))
    kept = {e.inputs["settings"]["seed"] for e in cache.entries(tmp_path)}
    assert kept == {2, 4}
    assert fits.fitted == 4


def test_off_fits_every_time_and_a_store_that_cannot_be_written_never_fails(tmp_path, counts,
                                                                             fresh):
    fits = Fits("off")
    fits(counts)
    fits(counts)
    assert fits.fitted == 2 and "off" in fits.said[0]
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    fits = Fits(blocked / "store")
    pd.testing.assert_frame_equal(fits(counts), fresh, check_exact=True)
    assert "could not be stored" in fits.said[-1]


def test_the_warehouse_function_resolves_a_relative_store_from_its_base(tmp_path, counts):
    said: list[str] = []
    stored_fits_table(counts, "1", "1", "1", "fits", say=said.append, base=tmp_path)
    assert len(list((tmp_path / "fits").glob("*.parquet"))) == 1
    assert "fitting" in said[0] and "fit stored" in said[1]
    assert cache.clear(tmp_path / "fits") == 1
    assert cache.entries(tmp_path / "fits") == []


def test_the_command_lists_and_clears_the_store(tmp_path, counts, capsys, monkeypatch):
    from blsu.cli import main

    Fits(tmp_path)(counts)
    monkeypatch.setenv("BLSU_TRAJECTORY_CACHE", str(tmp_path))
    assert main(["trajectories", "cache"]) == 0
    listed = capsys.readouterr().out
    (entry,) = cache.entries(tmp_path)
    assert f"1 stored fits in {tmp_path}" in listed and entry.key in listed
    assert "K 1,2, 2 starts, seed 3" in listed
    assert main(["trajectories", "cache", "--clear"]) == 0
    assert not list(tmp_path.glob("*.parquet"))
    monkeypatch.setenv("BLSU_TRAJECTORY_CACHE", "off")
    assert main(["trajectories", "cache"]) == 0
    assert "the fit store is off" in capsys.readouterr().out
