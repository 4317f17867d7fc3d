"""The marts a Spark build made, copied into the DuckDB warehouse file the statistics read.

`blsu build --target spark` builds every model on Spark (tables as Parquet under the Spark
warehouse folder, `$BLSU_SPARK_WAREHOUSE`, default `data/spark-warehouse`), then copies the
marts into the build's scratch DuckDB file, which is checked and swapped in as `$BLSU_DB` like
any build: `blsu stats`, `blsu sql` and every DuckDB client read the marts of either engine the
same way. The copy reads Spark's Parquet files directly (no second Spark session) into tables
of the marts' contracts (names, types, order and not-null constraints of the enforced
contract: Spark's Parquet tables do not enforce not-null, the copy does). See docs/engines.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from blsu_core.paths import PROJECT_ROOT

WAREHOUSE_VARIABLE = "BLSU_SPARK_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("data") / "spark-warehouse"


class SparkExportError(RuntimeError):
    """The Spark build's marts could not be copied."""


@dataclass(frozen=True)
class Mart:
    schema: str
    name: str
    columns: dict[str, str]  # name -> contract type ({} without an enforced contract)
    not_null: frozenset[str] = frozenset()  # columns with a not_null constraint


def spark_warehouse() -> Path:
    """The Spark warehouse folder: $BLSU_SPARK_WAREHOUSE (relative to the current directory),
    else data/spark-warehouse in the project folder."""
    value = os.environ.get(WAREHOUSE_VARIABLE, "").strip()
    return Path(value).expanduser().resolve() if value else PROJECT_ROOT / DEFAULT_WAREHOUSE


def adapter_type(manifest: Path) -> str:
    """The dbt adapter of the run that wrote `manifest` (`duckdb`, `spark`)."""
    return str(json.loads(manifest.read_text(encoding="utf-8"))["metadata"]["adapter_type"])


def built_marts(manifest: Path) -> list[Mart]:
    """Every enabled model under models/marts, with its contract columns."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    marts = []
    for node in nodes:
        if node.get("resource_type") != "model" or "marts" not in node.get("fqn", []):
            continue
        if not node.get("config", {}).get("enabled", True):
            continue
        columns, not_null = {}, set()
        if node.get("contract", {}).get("enforced"):
            for name, column in node.get("columns", {}).items():
                columns[name.lower()] = str(column.get("data_type") or "")
                if any(c.get("type") == "not_null" for c in column.get("constraints", [])):
                    not_null.add(name.lower())
        marts.append(Mart(node["schema"], node.get("alias") or node["name"], columns,
                          frozenset(not_null)))
    return sorted(marts, key=lambda m: (m.schema, m.name))


def table_files(warehouse: Path, mart: Mart) -> list[Path]:
    """The Parquet files of a Spark managed table (Hadoop's hidden `_`/`.` files left out)."""
    folder = warehouse / f"{mart.schema}.db" / mart.name
    if not folder.is_dir():
        raise SparkExportError(
            f"the Spark build left no table {mart.schema}.{mart.name} at {folder}; is "
            f"{WAREHOUSE_VARIABLE} the warehouse folder of the spark target?"
        )
    return sorted(
        p for p in folder.rglob("*.parquet")
        if not any(part.startswith(("_", ".")) for part in p.relative_to(folder).parts)
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export_marts(manifest: Path, db: Path, warehouse: Path | None = None) -> dict[str, int]:
    """Copy every mart of the Spark build into `db`; return schema.table -> rows copied."""
    import duckdb

    warehouse = warehouse or spark_warehouse()
    copied: dict[str, int] = {}
    con = duckdb.connect(str(db))
    try:
        for mart in built_marts(manifest):
            files = table_files(warehouse, mart)
            target = f"{_quoted(mart.schema)}.{_quoted(mart.name)}"
            con.execute(f"create schema if not exists {_quoted(mart.schema)}")
            source = "read_parquet([" + ", ".join(
                "'" + str(p).replace("'", "''") + "'" for p in files) + "])"
            if mart.columns:
                definition = ", ".join(
                    f"{_quoted(n)} {t}{' not null' if n in mart.not_null else ''}"
                    for n, t in mart.columns.items()
                )
                con.execute(f"create or replace table {target} ({definition})")
                if files:
                    con.execute(f"insert into {target} by name select * from {source}")
            elif files:
                con.execute(f"create or replace table {target} as select * from {source}")
            else:
                raise SparkExportError(
                    f"{mart.schema}.{mart.name} has neither a contract nor Parquet files in "
                    f"{warehouse}: nothing says what its columns are"
                )
            copied[f"{mart.schema}.{mart.name}"] = con.execute(
                f"select count(*) from {target}").fetchone()[0]
    except duckdb.Error as exc:
        raise SparkExportError(f"could not copy the Spark marts into {db}: {exc}") from exc
    finally:
        con.close()
    return copied
