"""The trajectory model of a Spark build, estimated outside dbt (docs/engines.md).

dbt-spark runs Python models only on Databricks, so on Spark the three trajectory models are
SQL models over Parquet files that this step writes (models/intermediate/trajectories/spark/).
The step reads int_offender_age_counts from the Parquet files of its Spark table, calls the same
functions as the dbt Python models of the DuckDB build (`gbtm.warehouse`) with the same config
values (rendered by dbt from the vars into the manifest: groups, starts, seed, reported_groups;
the fit stored for the same age counts and settings is reused, as in the DuckDB build:
gbtm.cache), and writes one Parquet file per model into the folder of config `trajectory_estimates`
(dbt_project.yml), and last `fitted_on.parquet`: the settings and the Parquet files of
int_offender_age_counts it was fitted on. The Spark models refuse estimates that do not match
the settings and the table as built (macro `trajectory_estimate`).

`blsu build --target spark` runs dbt up to int_offender_age_counts, this step, then the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from blsu_core.paths import PROJECT_ROOT

AGE_COUNTS = "int_offender_age_counts"
FITS, CURVES, ASSIGNMENTS = ("int_trajectory_fits", "int_trajectory_curves",
                             "int_trajectory_assignments")
STAMP = "fitted_on"


class EstimateError(RuntimeError):
    """The trajectory model of a Spark build could not be estimated."""


def _models(manifest: Path) -> dict[str, dict[str, Any]]:
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return {n["name"]: n for n in nodes if n.get("resource_type") == "model"}


def _model(models: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    if name not in models:
        raise EstimateError(f"the dbt manifest has no enabled model {name}: is it a Spark build?")
    return models[name]


def settings_text(fits_config: dict[str, Any], assignments_config: dict[str, Any]) -> str:
    """The settings the estimates were made with, as the macro `trajectory_estimate` spells
    them: groups|starts|seed|reported_groups, each as dbt rendered it."""
    values = [fits_config.get(k) for k in ("groups", "starts", "seed")]
    values.append(assignments_config.get("reported_groups"))
    return "|".join("" if v is None else str(v) for v in values)


def age_count_files(warehouse: Path, node: dict[str, Any]) -> list[Path]:
    """The Parquet files of the Spark table int_offender_age_counts."""
    from blsu.spark_export import Mart, table_files

    return table_files(warehouse, Mart(node["schema"], node.get("alias") or node["name"], {}))


def estimate(manifest: Path, warehouse: Path, say: Callable[[str], None] = print) -> Path:
    """Fit the model on the Spark build's int_offender_age_counts and write the estimates the
    Spark models read; return their folder."""
    import duckdb

    from gbtm.warehouse import assignments_table, curves_table, stored_fits_table

    models = _models(manifest)
    fits_config = _model(models, FITS)["config"]
    assignments_config = _model(models, ASSIGNMENTS)["config"]
    folder_setting = fits_config.get("trajectory_estimates")
    if not folder_setting:
        raise EstimateError(f"{FITS} has no config trajectory_estimates: not a Spark build")
    folder = PROJECT_ROOT / Path(str(folder_setting)).expanduser()
    files = age_count_files(warehouse, _model(models, AGE_COUNTS))
    if not files:
        raise EstimateError(f"{AGE_COUNTS} has no Parquet files in {warehouse}: nothing to fit")
    listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    counts = duckdb.sql(f"select * from read_parquet([{listed}])").df()
    say(f"trajectory model: {len(counts):,} person-ages of {AGE_COUNTS}, "
        f"groups {fits_config.get('groups')}, {fits_config.get('starts')} starts")
    fits = stored_fits_table(counts, fits_config.get("groups"), fits_config.get("starts"),
                             fits_config.get("seed"), fits_config.get("trajectory_cache"),
                             say=say, base=PROJECT_ROOT)
    tables = {
        FITS: fits,
        CURVES: curves_table(fits, counts),
        ASSIGNMENTS: assignments_table(fits, counts, assignments_config.get("reported_groups")),
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{STAMP}.parquet").unlink(missing_ok=True)  # no stamp while half written
    for name, table in tables.items():
        _write(table, folder / f"{name}.parquet")
    _write(pd.DataFrame({
        "settings": [settings_text(fits_config, assignments_config)],
        "input_files": [",".join(sorted(p.name for p in files))],
    }), folder / f"{STAMP}.parquet")
    return folder


def _write(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically: a reader never sees half a table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    partial = path.with_name(path.name + ".partial")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), partial)
    partial.replace(path)
