"""The ingestion (blsu_ingest.ingest): one read path, canonical Parquet, checks and states."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from blsu_core.datasets import DATASETS
from blsu_ingest.incremental import plan_load
from blsu_ingest.ingest import IngestedFile, baseline_of, ingest_dataset, prune
from blsu_ingest.inventory import RawExtractError, compare, inventory_dataset
from blsu_ingest.parquet import SCAN_COLUMN, scan_plan

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


def write_parquet(raw: Path, name: str, table: pa.Table) -> Path:
    folder = raw / "SLOAANG"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / name)
    return folder / name


def ingest(tmp_path: Path) -> list[IngestedFile]:
    return ingest_dataset(tmp_path / "raw", tmp_path / "ingest", SPEC)


def rows(tmp_path: Path) -> list[dict[str, object]]:
    """The rows a staging model reads: `union all` of the scan plan's selects, as raw_extract."""
    plan = scan_plan(ingest(tmp_path), SPEC).to_pylist()
    union = "\nunion all\n".join(p[SCAN_COLUMN] for p in plan)
    return duckdb.sql(union).to_arrow_table().to_pylist()


def test_typed_parquet_is_converted_to_text_under_upper_case_names(tmp_path: Path) -> None:
    typed = pa.table(
        {
            **{name.lower(): values for name, values in sloaang_rows(3).items()},
            "pleegdatum": pa.array([dt.date(2015, 1, 1), None, dt.date(2016, 2, 29)]),
            "score": pa.array([7.0, 2.5, None]),
        }
    )
    write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", typed)
    got = rows(tmp_path)
    assert [r["PLEEGDATUM"] for r in got] == ["20150101", None, "20160229"]
    assert [r["SCORE"] for r in got] == ["7", "2.5", None]
    assert got[0]["SOURCE_FILE"] == "SLOAANG2015CBKV1.parquet" and got[0]["FILE_YEAR"] == 2015
    (canonical,) = [f.canonical for f in ingest(tmp_path)]
    assert Path(str(canonical)).parent == tmp_path / "ingest" / "SLOAANG"


def test_canonical_parquet_is_linked_not_copied(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows()))
    (found,) = ingest(tmp_path)
    assert (found.n_rows, found.state) == (2, "new")
    canonical = Path(str(found.canonical))
    assert canonical.parent == tmp_path / "ingest" / "SLOAANG"
    assert canonical.stat().st_ino == path.stat().st_ino  # the same bytes: a hard link


def test_csv_and_later_versions_states_and_one_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_parquet(raw, "SLOAANG2014CBKV1.parquet", pa.table(sloaang_rows(2)))
    csv = raw / "SLOAANG" / "SLOAANG2015CBKV1.csv"
    pd.DataFrame(sloaang_rows(3)).to_csv(csv, index=False)
    first = {f.file_name: f for f in ingest(tmp_path)}
    assert {n: f.state for n, f in first.items()} == {
        "SLOAANG2014CBKV1.parquet": "new",
        "SLOAANG2015CBKV1.csv": "new",
    }
    converted = Path(str(first["SLOAANG2015CBKV1.csv"].canonical))
    written = converted.stat().st_mtime_ns
    second = {f.file_name: f for f in ingest(tmp_path)}
    assert {f.state for f in second.values()} == {"unchanged"}
    assert converted.stat().st_mtime_ns == written  # not converted again

    write_parquet(raw, "SLOAANG2015CBKV2.parquet", pa.table(sloaang_rows(1)))
    os.utime(raw / "SLOAANG" / "SLOAANG2014CBKV1.parquet", ns=(1, 1))
    third = {f.file_name: f.state for f in ingest(tmp_path)}
    assert third == {
        "SLOAANG2014CBKV1.parquet": "changed",
        "SLOAANG2015CBKV1.csv": "superseded",
        "SLOAANG2015CBKV2.parquet": "new",
    }
    csv.unlink()
    assert {f.file_name: f.state for f in ingest(tmp_path)}["SLOAANG2015CBKV1.csv"] == "gone"
    assert converted.exists()  # kept until the warehouse that read it is replaced
    other = tmp_path / "ingest" / "trajectory_fits" / "stored.parquet"  # no dataset's folder
    other.parent.mkdir()
    other.write_bytes(b"")
    prune(tmp_path / "ingest")
    assert not converted.exists()
    assert other.exists()
    assert [r["RINPERSOON"] for r in rows(tmp_path)] == ["000000001", "000000002", "000000001"]


def test_rinpersoon_of_eight_digits_is_an_error_naming_file_and_row(tmp_path: Path) -> None:
    table = pa.table(sloaang_rows(3, RINPERSOON="12345678"))
    write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", table)
    with pytest.raises(
        RawExtractError, match=r"SLOAANG2015CBKV1\.parquet: row 3: RINPERSOON '12345678' with"
    ):
        ingest(tmp_path)


def test_missing_rinpersoon_of_a_linkable_record_is_an_error(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "raw", "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(RINPERSOON=None))
    )
    with pytest.raises(RawExtractError, match=r"row 2: RINPERSOON None with RINPERSOONS 'R'"):
        ingest(tmp_path)


def test_rinpersoon_of_unlinkable_records_is_not_checked(tmp_path: Path) -> None:
    table = pa.table(sloaang_rows(RINPERSOONS="X", RINPERSOON="abc"))
    write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", table)
    assert [row["RINPERSOON"] for row in rows(tmp_path)] == ["000000001", "abc"]


def test_date_column_without_one_yyyymmdd_value_is_an_error(tmp_path: Path) -> None:
    columns = sloaang_rows(3, REGISTRATIEDATUM="2015-01-03")
    columns["REGISTRATIEDATUM"][:2] = [" ", "2015-01-02"]
    write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", pa.table(columns))
    with pytest.raises(
        RawExtractError,
        match=r"column REGISTRATIEDATUM: none of its 2 non-empty values .*'2015-01-02'",
    ):
        ingest(tmp_path)


def test_some_unparseable_dates_load(tmp_path: Path) -> None:
    table = pa.table(sloaang_rows(REGISTRATIEDATUM="x"))
    write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", table)
    assert [row["REGISTRATIEDATUM"] for row in rows(tmp_path)] == ["20150102", "x"]


def test_parquet_without_rows_is_an_error(tmp_path: Path) -> None:
    write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(0)))
    with pytest.raises(RawExtractError, match=r"SLOAANG2015CBKV1\.parquet: no data rows"):
        ingest(tmp_path)


def test_scan_plan_has_one_row_per_used_file(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_parquet(raw, "SLOAANG2014CBKV1.parquet", pa.table(sloaang_rows(2)))
    write_parquet(raw, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(1)))
    write_parquet(raw, "SLOAANG2015CBKV2.parquet", pa.table(sloaang_rows(3)))
    plan = scan_plan(ingest(tmp_path), SPEC).to_pylist()
    assert [(p["SOURCE_FILE"], p["FILE_YEAR"], p["FILE_VERSION"], p["N_ROWS"]) for p in plan] == [
        ("SLOAANG2014CBKV1.parquet", 2014, 1, 2),
        ("SLOAANG2015CBKV2.parquet", 2015, 2, 3),
    ]
    assert len(rows(tmp_path)) == 5


def test_a_warehouse_baseline_behind_the_ingest_folder_still_sees_the_landed_year(
    tmp_path: Path,
) -> None:
    """After a failed build the ingest folder is ahead of the warehouse: the ingestion calls the
    landed year unchanged, the comparison with the warehouse's baseline still loads it."""
    raw = tmp_path / "raw"
    write_parquet(raw, "SLOAANG2014CBKV1.parquet", pa.table(sloaang_rows(2)))
    built = [dataclasses.asdict(f) for f in ingest(tmp_path)]  # what the warehouse was built from
    write_parquet(raw, "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows(1)))
    write_parquet(raw, "SLOAANG2014CBKV2.parquet", pa.table(sloaang_rows(3)))
    ingest(tmp_path)  # ingested, then the build failed
    assert {f.file_name: f.state for f in ingest(tmp_path)} == {
        "SLOAANG2014CBKV1.parquet": "superseded",
        "SLOAANG2014CBKV2.parquet": "unchanged",
        "SLOAANG2015CBKV1.parquet": "unchanged",
    }
    states = compare(inventory_dataset(raw, SPEC), baseline_of(built))
    assert [(s.file_name, s.state, s.differs) for s in states] == [
        ("SLOAANG2014CBKV1.parquet", "superseded", True),
        ("SLOAANG2014CBKV2.parquet", "new", True),
        ("SLOAANG2015CBKV1.parquet", "new", True),
    ]
    changes = plan_load(SPEC, states, raw / "SLOAANG")
    assert [c.describe() for c in changes] == ["SLOAANG 2014 V2 replaces V1", "SLOAANG 2015 added"]
    (raw / "SLOAANG" / "SLOAANG2014CBKV2.parquet").unlink()
    (raw / "SLOAANG" / "SLOAANG2014CBKV1.parquet").unlink()
    states = compare(inventory_dataset(raw, SPEC), baseline_of(built))
    assert [(s.file_name, s.state) for s in states][-1] == ("SLOAANG2014CBKV1.parquet", "gone")
    with pytest.raises(RawExtractError, match=r"year\(s\) 2014 \(SLOAANG2014CBKV1\.parquet\)"):
        plan_load(SPEC, states, raw / "SLOAANG")


def test_ingestions_at_once_into_one_folder_all_succeed(tmp_path: Path) -> None:
    """Builds that run at once each ingest into the same folder (a no-op that rewrites the
    inventory): every writer has a temporary file of its own."""
    from concurrent.futures import ThreadPoolExecutor

    write_parquet(tmp_path / "raw", "SLOAANG2015CBKV1.parquet", pa.table(sloaang_rows()))
    first = ingest(tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda _: ingest(tmp_path), range(200)))
    assert all([(x.canonical, x.n_rows, x.state) for x in f]
               == [(x.canonical, x.n_rows, "unchanged") for x in first] for f in found)
    assert not list((tmp_path / "ingest").rglob("*.partial"))
