"""A command's `--help`, options and usage line are the same under `blsu` (whose parser loads only
the command asked for) as in the module's own entry point (`python -m ...`, which parses with the
command's declaration alone)."""

from __future__ import annotations

import pytest

from blsu.cli import COMMANDS, OWN, declared, main


def test_every_command_that_runs_is_listed() -> None:
    assert set(OWN) <= set(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_command_helps_alike_under_blsu_and_on_its_own(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    command, _ = declared(name)
    assert command.name == name
    assert main([name, "--help"]) == 0
    under_blsu = capsys.readouterr().out
    assert under_blsu.startswith(f"usage: blsu {name} ")
    assert under_blsu == command.parser().format_help()
