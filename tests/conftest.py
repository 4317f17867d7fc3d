"""Suite-wide settings.

The warehouse builds in the tests fit the trajectory model with few random starts (the main job
uses var trajectory_starts, 50). `scripts/test.sh` runs the suite on two pytest-xdist workers
with `--dist loadscope`, where a scope is a top-level test folder: a folder runs on one worker,
so its session fixtures (a built warehouse, a run of the main job) are built once. The refresh
tests, about half of the suite's time, are scheduled file by file, so both workers share them.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("BLSU_TRAJECTORY_STARTS", "5")

#: folders whose files are scheduled one by one (their shared build is made once per worker)
SPLIT_BY_FILE = ("refresh",)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With `--dist loadscope`, schedule by top-level test folder instead of by module."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            parts = path.split("/")
            if len(parts) < 3 or parts[0] != "tests":
                return path
            return path if parts[1] in SPLIT_BY_FILE else parts[1]

    return FolderScheduling(config, log)
