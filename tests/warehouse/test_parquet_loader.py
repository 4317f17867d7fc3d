"""Parquet read by DuckDB (blsu.loader.parquet): the same table and checks as the Arrow readers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from blsu.loader import DATASETS, RawExtractError, inventory_dataset
from blsu.loader.inventory import FileEntry
from blsu.loader.parquet import SCAN_COLUMN, all_parquet, scan_plan
from blsu.loader.readers import read_files

SPEC = DATASETS["SLOAANG"]


def sloaang_rows(n: int = 2, **changes: object) -> dict[str, list[object]]:
    """Columns of `n` SLOAANG rows; `changes` replace the values of the last row."""
    columns: dict[str, list[object]] = {
        "RINPERSOONS": ["R"] * n,
        "RINPERSOON": [f"{i + 1:09d}" for i in range(n)],
        "VOORVALNUMMER": [f"I{i + 1}" for i in range(n)],
        "ROL": ["S"] * n,
        "FEITCODE": ["SR:300"] * n,
        "PLEEGDATUM": ["20150101"] * n,
        "REGISTRATIEDATUM": ["20150102"] * n,
    }
    for name, value in changes.items():
        columns[name][-1] = value
    return columns


def write_parquet(raw: Path, name: str, table: pa.Table) -> None:
    folder = raw / "SLOAANG"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / name)


def used(raw: Path) -> list[FileEntry]:
    return [e for e in inventory_dataset(raw, SPEC) if e.status == "used"]


def duckdb_rows(raw: Path) -> list[dict[str, object]]:
    """The rows a staging model reads: `union all` of the scan plan's selects, as raw_extract."""
    con = duckdb.connect()
    selects = [row[SCAN_COLUMN] for row in scan_plan(con, used(raw), SPEC).to_pylist()]
    return con.sql("\nunion all\n".join(selects)).to_arrow_table().to_pylist()


def test_parquet_read_by_duckdb_equals_the_arrow_reader_value_for_value(tmp_path: Path) -> None:
    typed = pa.table(
        {
            **{name.lower(): values for name, values in sloaang_rows(3).items()},
            "pleegdatum": pa.array([dt.date(2015, 1, 1), None, dt.date(2016, 2, 29)]),
            "score": pa.array([7.0, 2.5, None]),
            "count": pa.array([1, None, 30], pa.int64()),
        }
    )
    write_parquet(tmp_path, "SLOAANG2015CBKV1.parquet", typed)
    write_parquet(tmp_path, "SLOAANG2016CBKV2.parquet", pa.table(sloaang_rows(1)))
    rows = duckdb_rows(tmp_path)
    assert rows == read_files(used(tmp_path), SPEC).read_all().to_pylist()
    first, second, third, other_file = rows
    assert (first["PLEEGDATUM"], first["SCORE"], first["COUNT"]) == ("20150101", "7", "1")
    assert (second["PLEEGDATUM"], second["SCORE"], second["COUNT"]) == (None, "2.5", None)
    assert third["PLEEGDATUM"] == "20160229"
    assert (other_file["SCORE"], other_file["COUNT"]) == (None, None)
    assert (other_file["SOURCE_FILE"], other_file["FILE_YEAR"], other_file["FILE_VERSION"]) == (
        "SLOAANG2016CBKV2.parquet",
        2016,
        2,
    )
    assert other_file["FILE_SIGNATURE"] == used(tmp_path)[1].signature


def test_parquet_rinpersoon_of_eight_digits_is_an_error_naming_file_and_row(
    tmp_path: Path,
) -> None:
    write_parquet(
        tmp_path, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(3, RINPERSOON="12345678"))
    )
    with pytest.raises(
        duckdb.Error, match=r"SLOAANG2015CBKV1\.parquet: row 3: RINPERSOON '12345678' with"
    ):
        duckdb_rows(tmp_path)


def test_parquet_missing_rinpersoon_of_a_linkable_record_is_an_error(tmp_path: Path) -> None:
    write_parquet(tmp_path, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(RINPERSOON=None)))
    with pytest.raises(duckdb.Error, match=r"row 2: RINPERSOON None with RINPERSOONS 'R'"):
        duckdb_rows(tmp_path)


def test_parquet_rinpersoon_of_unlinkable_records_is_not_checked(tmp_path: Path) -> None:
    rows = sloaang_rows(RINPERSOONS="X", RINPERSOON="abc")
    write_parquet(tmp_path, "SLOAANG2015CBKV1.parquet", pa.table(rows))
    assert [row["RINPERSOON"] for row in duckdb_rows(tmp_path)] == ["000000001", "abc"]


def test_parquet_date_column_without_one_yyyymmdd_value_is_an_error(tmp_path: Path) -> None:
    rows = sloaang_rows(3, REGISTRATIEDATUM="2015-01-03")
    rows["REGISTRATIEDATUM"][:2] = [" ", "2015-01-02"]
    write_parquet(tmp_path, "SLOAANG2015CBKV1.parquet", pa.table(rows))
    with pytest.raises(
        RawExtractError,
        match=r"column REGISTRATIEDATUM: none of its 2 non-empty values .*'2015-01-02'",
    ):
        duckdb_rows(tmp_path)


def test_parquet_some_unparseable_dates_load(tmp_path: Path) -> None:
    write_parquet(
        tmp_path, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(REGISTRATIEDATUM="x"))
    )
    assert [row["REGISTRATIEDATUM"] for row in duckdb_rows(tmp_path)] == ["20150102", "x"]


def test_parquet_without_rows_is_an_error(tmp_path: Path) -> None:
    write_parquet(tmp_path, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(0)))
    with pytest.raises(RawExtractError, match=r"SLOAANG2015CBKV1\.parquet: no data rows"):
        duckdb_rows(tmp_path)


def test_datasets_with_a_csv_file_are_not_read_by_duckdb(tmp_path: Path) -> None:
    write_parquet(tmp_path, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows()))
    pd.DataFrame(sloaang_rows()).to_csv(tmp_path / "SLOAANG" / "SLOAANG2016CBKV1.csv", index=False)
    entries = used(tmp_path)
    assert all_parquet(entries[:1]) and not all_parquet(entries) and not all_parquet([])


def test_scan_plan_has_one_row_per_file_whose_selects_read_the_dataset(tmp_path: Path) -> None:
    """The plan the staging models inline: lineage, footer row count and SQL per file."""
    raw = tmp_path / "raw"
    write_parquet(raw, "SLOAANG2014CBKV1.parquet", pa.table(sloaang_rows(2)))
    write_parquet(raw, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(1)))
    write_parquet(raw, "SLOAANG2015CBKV2.parquet", pa.table(sloaang_rows(3)))
    con = duckdb.connect()
    plan = scan_plan(con, used(raw), SPEC).to_pylist()

    assert [(p["SOURCE_FILE"], p["FILE_YEAR"], p["FILE_VERSION"], p["N_ROWS"]) for p in plan] == [
        ("SLOAANG2014CBKV1.parquet", 2014, 1, 2),
        ("SLOAANG2015CBKV2.parquet", 2015, 2, 3),
    ]
    assert all(p[SCAN_COLUMN].startswith("select ") for p in plan)
    union = "\nunion all\n".join(p[SCAN_COLUMN] for p in plan)
    rows = con.sql(union).to_arrow_table().to_pylist()
    assert rows == read_files(used(raw), SPEC).read_all().to_pylist()
    assert len(rows) == 5
