"""One run of the main job on the small synthetic preset, shared by the end-to-end tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_env import BLSU, blsu_env


@pytest.fixture(scope="session")
def main_job(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """`blsu run --size small --quiet` in a fresh folder: (folder, finished process)."""
    tmp = tmp_path_factory.mktemp("main_job")
    proc = subprocess.run(
        [BLSU, "run", "--size", "small", "--quiet"],
        env=blsu_env(tmp),
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return tmp, proc
