"""The refresh bookkeeping: state, the lock, the paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from blsu import refresh as rf
from blsu.paths import Paths, has_extracts


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def lock_holder(db: Path) -> subprocess.Popen[str]:
    """Another process that holds the refresh lock of `db` until it reads a line on stdin."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pathlib import Path\n"
            "from blsu.paths import Paths\n"
            "from blsu.refresh import refresh_lock\n"
            f"p = Paths(Path('r'), Path({str(db)!r}), Path('r'))\n"
            "with refresh_lock(p):\n"
            "    print('locked', flush=True)\n"
            "    sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_state_is_ignored_when_the_warehouse_file_is_gone(tmp_path: Path) -> None:
    paths = Paths(raw_dir=tmp_path / "raw", db=tmp_path / "w.duckdb", results=tmp_path / "r")
    rf.save_state(paths, {"vars": {"matching_seed": 7}})
    assert rf.load_state(paths) == {}
    paths.db.write_bytes(b"")
    assert rf.load_state(paths) == {"vars": {"matching_seed": 7}}


def test_second_refresh_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    paths = Paths(raw_dir=tmp_path, db=tmp_path / "w.duckdb", results=tmp_path / "r")
    holder = lock_holder(paths.db)
    try:
        with (
            pytest.raises(rf.RefreshLockedError, match=f"pid {holder.pid}"),
            rf.refresh_lock(paths),
        ):
            pass
    finally:
        holder.communicate("\n", timeout=30)
    with rf.refresh_lock(paths):
        pass


def test_has_extracts_needs_a_data_file_in_a_dataset_folder(tmp_path: Path) -> None:
    assert not has_extracts(tmp_path / "missing")
    (tmp_path / "GBAPERSOONTAB").mkdir()
    assert not has_extracts(tmp_path)
    _write(tmp_path / "GBAPERSOONTAB" / "GBAPERSOON2023TABV1.sav", b"x")
    assert has_extracts(tmp_path)


def test_paths_follow_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BLSU_RAW_DIR", "extracts")
    monkeypatch.setenv("BLSU_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.delenv("BLSU_RESULTS", raising=False)
    paths = Paths.from_env()
    assert paths.raw_dir == tmp_path / "extracts"
    assert paths.db == tmp_path / "w.duckdb"
    assert paths.results.name == "results"
    assert paths.env()["BLSU_RAW_DIR"] == str(tmp_path / "extracts")


def test_overlapping_refresh_exits_75_and_names_the_holder(tmp_path: Path) -> None:
    _write(tmp_path / "raw" / "SLOAANG" / "SLOAANG2022CBKV1.parquet", b"x")
    paths = Paths(raw_dir=tmp_path / "raw", db=tmp_path / "w.duckdb", results=tmp_path / "r")
    holder = lock_holder(paths.db)
    try:
        assert rf.run_refresh(paths, lambda argv: 0) == rf.EXIT_LOCKED
    finally:
        holder.communicate("\n", timeout=30)


def test_expected_police_year_is_two_years_back_unless_the_var_says_otherwise() -> None:
    import datetime as dt

    assert rf.expected_police_year({}, dt.date(2026, 3, 1)) == 2024
    assert rf.expected_police_year({"police_expected_latest_year": 2022}) == 2022


def test_vars_are_read_as_yaml() -> None:
    assert rf.normalise_vars('{victim_window_end: "2024-12-31"}') == {
        "victim_window_end": "2024-12-31"
    }
    assert rf.normalise_vars(None) == {}
