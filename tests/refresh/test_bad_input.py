"""Bad input: a clear error naming the file (and row or column), the warehouse left as it was."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import Site

from blsu_core.datasets import DATASETS
from blsu_ingest.inventory import RawExtractError, inventory_dataset
from blsu_ingest.readers import read_files

SLOAANG_ROW = {
    "RINPERSOONS": "R",
    "RINPERSOON": "000000001",
    "VOORVALNUMMER": "I1",
    "ROL": "S",
    "FEITCODE": "SR:300",
    "PLEEGDATUM": "20150101",
    "REGISTRATIEDATUM": "20150102",
}


def sloaang_csv(path: Path, rows: list[dict[str, str]] | None = None, **kw: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows or [SLOAANG_ROW]).to_csv(path, index=False, **kw)
    return path


def load(raw: Path) -> None:
    spec = DATASETS["SLOAANG"]
    used = [e for e in inventory_dataset(raw, spec) if e.status == "used"]
    read_files(used, spec).read_all()


def rows_with(**changes: str) -> list[dict[str, str]]:
    return [dict(SLOAANG_ROW), {**SLOAANG_ROW, "VOORVALNUMMER": "I2", **changes}]


def test_rinpersoon_of_eight_digits_is_an_error_naming_file_and_row(tmp_path: Path) -> None:
    sloaang_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", rows_with(RINPERSOON="12345678"))
    with pytest.raises(
        RawExtractError, match=r"SLOAANG2015CBKV1\.csv: row 2: RINPERSOON '12345678'"
    ):
        load(tmp_path)


def test_rinpersoon_of_unlinkable_records_is_not_checked(tmp_path: Path) -> None:
    rows = rows_with(RINPERSOONS="X", RINPERSOON="abc")
    sloaang_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", rows)
    load(tmp_path)


def test_date_column_without_one_yyyymmdd_value_is_an_error(tmp_path: Path) -> None:
    rows = rows_with(REGISTRATIEDATUM="2015-01-03")
    rows[0]["REGISTRATIEDATUM"] = "2015-01-02"
    sloaang_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", rows)
    with pytest.raises(RawExtractError, match=r"column REGISTRATIEDATUM: none of its 2 non-empty"):
        load(tmp_path)


def test_some_unparseable_dates_load_and_are_counted_later(tmp_path: Path) -> None:
    sloaang_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", rows_with(REGISTRATIEDATUM="x"))
    load(tmp_path)


def test_latin1_bytes_in_a_csv_name_the_line(tmp_path: Path) -> None:
    path = sloaang_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", rows_with(ROL="é"))
    path.write_bytes(path.read_bytes().replace("é".encode(), "é".encode("latin-1")))
    with pytest.raises(RawExtractError, match=r"SLOAANG2015CBKV1\.csv: line 3 is not UTF-8"):
        load(tmp_path)


def test_semicolon_csv_says_the_delimiter_is_wrong(tmp_path: Path) -> None:
    sloaang_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", sep=";")
    with pytest.raises(RawExtractError, match=r"missing required column.*not comma-separated"):
        load(tmp_path)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "SLOAANG").mkdir()
    (tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.parquet").write_bytes(b"")
    with pytest.raises(RawExtractError, match=r"SLOAANG2015CBKV1\.parquet: empty file \(0 bytes\)"):
        load(tmp_path)


def test_header_only_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv"
    sloaang_csv(path)
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(RawExtractError, match=r"SLOAANG2015CBKV1\.csv: no data rows"):
        load(tmp_path)


@pytest.mark.parametrize("name", ["SLOAANG2015CBKV1.parquet", "SLOAANG2015CBKV1.sav"])
def test_truncated_file_is_an_error_naming_it(tmp_path: Path, name: str) -> None:
    frame = pd.read_csv(sloaang_csv(tmp_path / "x.csv"), dtype=str)
    path = tmp_path / "SLOAANG" / name
    path.parent.mkdir()
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        import pyreadstat

        pyreadstat.write_sav(frame, str(path))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(RawExtractError, match=re.escape(name) + ": not a readable"):
        load(tmp_path)


# --- the same through `blsu refresh`: exit 1, warehouse and results unchanged -----------------


def _snapshot(site: Site) -> tuple[bytes, dict[str, bytes]]:
    results = {p.name: p.read_bytes() for p in sorted(site.results.iterdir()) if p.is_file()}
    return site.db.read_bytes(), results


def test_missing_column_fails_the_refresh_and_leaves_everything(site: Site) -> None:
    before = _snapshot(site)
    sloaang_csv(site.raw / "SLOAANG" / "SLOAANG2024CBKV1.csv").write_text("RINPERSOONS,ROL\nR,S\n")
    proc = site.blsu("refresh")
    assert proc.returncode == 1
    assert "SLOAANG2024CBKV1.csv: missing required column(s) RINPERSOON" in proc.stderr
    assert _snapshot(site) == before


def test_year_gone_from_the_folder_fails_naming_the_year(site: Site) -> None:
    before = _snapshot(site)
    (site.raw / "OMZAKEN" / "OMZAKEN2005TABV1.parquet").unlink()
    proc = site.blsu("refresh")
    assert proc.returncode == 1
    assert "year(s) 2005 (OMZAKEN2005TABV1.parquet) of OMZAKEN" in proc.stderr
    assert _snapshot(site) == before


def test_missing_dataset_folder_fails(site: Site) -> None:
    shutil.move(site.raw / "WSW_2015_2021", site.raw / "WSW_2015_2012")
    proc = site.blsu("refresh")
    assert proc.returncode == 1
    assert "dataset folder" in proc.stderr and "WSW_2015_2021 not found" in proc.stderr
    assert "folders that are no dataset: WSW_2015_2012 (misspelled?)" in proc.stderr


def test_data_error_inside_dbt_leaves_warehouse_and_results(site: Site) -> None:
    before = _snapshot(site)
    rows = rows_with(RINPERSOON="1234")
    sloaang_csv(site.raw / "SLOAANG" / "SLOAANG2024CBKV1.csv", rows)
    proc = site.blsu("refresh")
    assert proc.returncode == 1
    assert "SLOAANG2024CBKV1.csv: row 2: RINPERSOON '1234'" in proc.stderr
    assert _snapshot(site) == before
    assert not list(site.root.glob(".*.build-*")), "scratch folders left behind"


def test_misspelled_file_name_is_warned_listed_and_not_loaded(site: Site) -> None:
    shutil.copy2(
        site.raw / "SLOAANG" / "SLOAANG2023CBKV1.parquet",
        site.raw / "SLOAANG" / "SLOAANG_2024.parquet",
    )
    proc = site.blsu("refresh")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "SLOAANG_2024.parquet: name does not follow the SLOAANG pattern" in proc.stderr
    assert proc.stdout.startswith("refreshed: SLOAANG SLOAANG_2024.parquet unrecognised;")


def test_warehouse_open_for_writing_elsewhere_exits_75_naming_the_pid(site: Site) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys\ncon = duckdb.connect({str(site.db)!r})\n"
            "print('open', flush=True)\nsys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        proc = site.blsu("refresh", "--force")
    finally:
        holder.communicate("\n", timeout=30)
    assert proc.returncode == 75
    assert f"locked by process {holder.pid}" in proc.stderr
