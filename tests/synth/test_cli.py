"""The command line: options, help and one-line errors with non-zero exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from blsu_synth.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_size_preset_is_an_error_naming_the_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--size", "huge"]) == 2
    err = capsys.readouterr().err
    assert "huge" in err and "small" in err and err.count("\n") == 1


def test_existing_output_without_force_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "something.txt").write_text("x")
    assert main(["--out", str(tmp_path), "--size", "small", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err
    assert not (tmp_path / "manifest.json").exists()


def test_force_replaces_existing_extracts(tmp_path: Path) -> None:
    out = tmp_path / "raw"
    assert main(["--out", str(out), "--size", "small", "--quiet", "--format", "csv"]) == 0
    assert main(["--out", str(out), "--size", "small", "--quiet", "--force"]) == 0
    assert not list(out.rglob("*.csv"))
    assert json.loads((out / "manifest.json").read_text())["format"] == "parquet"


def test_unwritable_output_folder_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["--out", str(blocker / "raw"), "--size", "small", "--quiet"]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_out_defaults_to_blsu_raw_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLSU_RAW_DIR", str(tmp_path / "env_raw"))
    assert main(["--size", "small", "--quiet"]) == 0
    assert (tmp_path / "env_raw" / "manifest.json").is_file()


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--out", "--size", "--seed", "--format", "--force", "--quiet", "BLSU_RAW_DIR"):
        assert option in out


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "blsu_synth",
            "--out",
            str(tmp_path / "m"),
            "--size",
            "small",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_progress_bar_goes_to_stderr_and_is_silent_when_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from blsu_synth import generate

    generate(tmp_path / "quiet", size="small", progress=False)
    assert capsys.readouterr().err == ""
    generate(tmp_path / "bar", size="small", progress=True)
    captured = capsys.readouterr()
    assert "persons" in captured.err and captured.out == ""
