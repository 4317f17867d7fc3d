"""The raw-extract loader: version choice, text columns, clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from blsu_core.datasets import DATASETS
from blsu_ingest.inventory import RawExtractError, inventory_dataset
from blsu_ingest.readers import read_dataset


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


def sloaang_frame(**overrides: str) -> pd.DataFrame:
    row = {
        "RINPERSOONS": "R",
        "RINPERSOON": "000000001",
        "VOORVALNUMMER": "I1",
        "ROL": "S",
        "FEITCODE": "SR:300",
        "PLEEGDATUM": "20150101",
        "REGISTRATIEDATUM": "20150102",
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_highest_version_per_year_is_used_for_yearly_files(tmp_path):
    for name in [
        "SLOAANG2015CBKV1.csv",
        "SLOAANG2015CBKV2.csv",
        "SLOAANG2016CBKV1.csv",
        "notes.txt",
        "sloaang2017cbkv3.csv",
        "SLOAANG_extra.csv",
    ]:
        write_csv(tmp_path / "SLOAANG" / name, sloaang_frame())
    status = {e.file_name: e.status for e in inventory_dataset(tmp_path, DATASETS["SLOAANG"])}
    assert status == {
        "SLOAANG2015CBKV1.csv": "superseded",
        "SLOAANG2015CBKV2.csv": "used",
        "SLOAANG2016CBKV1.csv": "used",
        "sloaang2017cbkv3.csv": "used",
        "SLOAANG_extra.csv": "unrecognised",
    }


def test_register_uses_the_newest_year_then_highest_version(tmp_path):
    frame = pd.DataFrame([{name: "x" for name in DATASETS["GBAPERSOONTAB"].required_columns}])
    for name in ["GBAPERSOON2022TABV3.csv", "GBAPERSOON2023TABV1.csv", "GBAPERSOON2023TABV2.csv"]:
        write_csv(tmp_path / "gbapersoontab" / name, frame)
    used = [
        e.file_name
        for e in inventory_dataset(tmp_path, DATASETS["GBAPERSOONTAB"])
        if e.status == "used"
    ]
    assert used == ["GBAPERSOON2023TABV2.csv"]


def test_same_year_and_version_in_two_formats_is_rejected(tmp_path):
    write_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", sloaang_frame())
    sloaang_frame().to_parquet(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.parquet")
    with pytest.raises(RawExtractError, match="same year and version"):
        inventory_dataset(tmp_path, DATASETS["SLOAANG"])


def test_missing_required_column_names_the_file_and_the_column(tmp_path):
    write_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv", sloaang_frame().drop(columns="ROL"))
    with pytest.raises(
        RawExtractError, match=r"SLOAANG2015CBKV1\.csv: missing required column\(s\) ROL"
    ):
        read_dataset(tmp_path, DATASETS["SLOAANG"]).read_all()


def test_columns_are_text_with_upper_case_names_and_lineage(tmp_path):
    frame = sloaang_frame().rename(columns=str.lower)
    frame["extra"] = [7]
    (tmp_path / "SLOAANG").mkdir()
    frame.assign(rinpersoon=["000000042"]).to_parquet(
        tmp_path / "SLOAANG" / "SLOAANG2016CBKV2.parquet"
    )
    table = read_dataset(tmp_path, DATASETS["SLOAANG"]).read_all()
    assert table.column_names[-5:] == [
        "EXTRA",
        "SOURCE_FILE",
        "FILE_YEAR",
        "FILE_VERSION",
        "FILE_SIGNATURE",
    ]
    row = table.to_pylist()[0]
    assert row["RINPERSOON"] == "000000042" and row["EXTRA"] == "7"
    assert (row["SOURCE_FILE"], row["FILE_YEAR"], row["FILE_VERSION"]) == (
        "SLOAANG2016CBKV2.parquet",
        2016,
        2,
    )


def test_missing_dataset_folder_is_reported(tmp_path):
    with pytest.raises(RawExtractError, match=r"dataset folder .*OMZAKEN not found"):
        inventory_dataset(tmp_path, DATASETS["OMZAKEN"])


def test_plugin_keeps_the_raw_folder_as_an_absolute_path(tmp_path, monkeypatch):
    """Staging views read Parquet files by the paths in the scan plan: they must be absolute."""
    from blsu_ingest.plugin import Plugin

    (tmp_path / "extracts").mkdir()
    monkeypatch.chdir(tmp_path)
    plugin = Plugin.__new__(Plugin)
    plugin.initialize({"raw_dir": "extracts"})
    assert plugin.raw_dir == tmp_path.resolve() / "extracts"
    assert plugin.raw_dir.is_absolute()
