"""What produced a warehouse: the raw files and versions it read and the dbt vars in force.

Read from the marts `dim_raw_files` and `dim_build_settings` (no counts in either); the vars in
force are the defaults of dbt_project.yml (their one home) overlaid with the build's `--vars`.
A warehouse without these marts (an older build) gives an empty provenance, which the report
says it has not got.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from blsu_core.project import default_vars


@dataclass(frozen=True)
class RawFile:
    """One file of the raw folder at the build."""

    dataset: str
    file_name: str
    year: int | None
    version: int | None
    status: str


@dataclass(frozen=True)
class Provenance:
    """The raw files, the vars in force (name -> value), those given on the command line."""

    files: list[RawFile] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    cli_vars: dict[str, Any] = field(default_factory=dict)
    dbt_version: str = ""

    @property
    def recorded(self) -> bool:
        return bool(self.files)


def read_provenance(db_path: Path) -> Provenance:
    """The provenance recorded in the warehouse (empty when its marts are absent)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        present = {row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name in ('dim_raw_files', 'dim_build_settings')").fetchall()}
        if present != {"dim_raw_files", "dim_build_settings"}:
            return Provenance(vars=default_vars())
        files = [RawFile(*row) for row in con.execute(
            "select dataset, file_name, file_year, file_version, status from marts.dim_raw_files "
            "order by dataset, file_year nulls first, file_version, file_name").fetchall()]
        dbt_version, cli_text = con.execute(
            "select dbt_version, cli_vars from marts.dim_build_settings").fetchall()[0]
    finally:
        con.close()
    cli_vars = json.loads(cli_text)
    return Provenance(files=files, vars={**default_vars(), **cli_vars}, cli_vars=cli_vars,
                      dbt_version=dbt_version)
