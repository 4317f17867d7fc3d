"""The paths and the vars every command reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from blsu_core.paths import Paths, has_extracts
from blsu_core.record import VarsError, normalise_vars


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


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
    from blsu_core.command import parse_command
    from blsu_core.paths import PROJECT_ROOT
    from blsu_synth.cli import COMMAND as GENERATE
    from python_stats.cli import COMMAND as STATS

    monkeypatch.chdir(tmp_path)
    for name in ("BLSU_RAW_DIR", "BLSU_DB", "BLSU_RESULTS"):
        monkeypatch.delenv(name, raising=False)
    stats = parse_command(STATS, [])
    assert stats.db == PROJECT_ROOT / "data" / "blsu.duckdb" == Paths.from_env().db
    assert stats.results == PROJECT_ROOT / "results" == Paths.from_env().results
    generate = parse_command(GENERATE, [])
    assert generate.out == PROJECT_ROOT / "data" / "raw" == Paths.from_env().raw_dir
    monkeypatch.setenv("BLSU_DB", "here.duckdb")
    assert parse_command(STATS, []).db == tmp_path / "here.duckdb"
    # a path given as an option follows the same rule: relative to the current directory
    assert parse_command(STATS, ["--db", "there.duckdb"]).db == tmp_path / "there.duckdb"
    assert parse_command(GENERATE, ["--out", "raw"]).out == tmp_path / "raw"
