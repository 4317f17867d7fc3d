"""The refresh bookkeeping: the lock, the paths, the vars."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from blsu import refresh as rf
from blsu.lock import LockedError, warehouse_lock
from blsu.paths import Paths, has_extracts
from blsu.record import VarsError, normalise_vars


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def lock_holder(db: Path) -> subprocess.Popen[str]:
    """Another process that holds the warehouse lock of `db` until it reads a line on stdin."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pathlib import Path\n"
            "from blsu.lock import warehouse_lock\n"
            f"with warehouse_lock(Path({str(db)!r}), 'blsu refresh'):\n"
            "    print('locked', flush=True)\n"
            "    sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = lock_holder(db)
    try:
        with (
            pytest.raises(LockedError, match=rf"pid {holder.pid} \(`blsu refresh`"),
            warehouse_lock(db, "blsu build"),
        ):
            pass
    finally:
        holder.communicate("\n", timeout=30)
    with warehouse_lock(db, "blsu build"):
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


def test_vars_are_read_as_yaml_and_dates_kept_as_text() -> None:
    assert normalise_vars('{victim_window_end: "2024-12-31"}') == {
        "victim_window_end": "2024-12-31"
    }
    assert normalise_vars("{victim_window_end: 2024-12-31}") == {
        "victim_window_end": "2024-12-31"
    }
    assert normalise_vars(None) == {}
    with pytest.raises(VarsError, match="YAML mapping"):
        normalise_vars("[1, 2]")


def test_every_command_resolves_default_paths_in_the_project_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blsu.paths import PROJECT_ROOT
    from blsu_synth.cli import build_parser as generate_parser
    from python_stats.cli import build_parser as stats_parser

    monkeypatch.chdir(tmp_path)
    for name in ("BLSU_RAW_DIR", "BLSU_DB", "BLSU_RESULTS"):
        monkeypatch.delenv(name, raising=False)
    stats = stats_parser().parse_args([])
    assert stats.db == PROJECT_ROOT / "data" / "blsu.duckdb" == Paths.from_env().db
    assert stats.results == PROJECT_ROOT / "results" == Paths.from_env().results
    generate = generate_parser().parse_args([])
    assert generate.out == PROJECT_ROOT / "data" / "raw" == Paths.from_env().raw_dir
    monkeypatch.setenv("BLSU_DB", "here.duckdb")
    assert stats_parser().parse_args([]).db == tmp_path / "here.duckdb"
