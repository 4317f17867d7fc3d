"""Expected data: files that read well but cannot be right for the study are errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from test_bad_input import SLOAANG_ROW, load, sloaang_csv

from blsu.jobs import check_inputs, current_entries, dataset_folders, used
from blsu_core.datasets import DATASETS
from blsu_core.paths import Paths
from blsu_ingest.expectations import ShortDataError, check_expected
from blsu_ingest.inventory import RawExtractError
from blsu_synth import generate


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("expected") / "raw"
    generate(raw, size="small", progress=False, force=True)
    return raw


def _check(raw: Path, *, accept: bool = False) -> list[str]:
    entries = current_entries(raw)
    return check_expected(entries, dataset_folders(raw), used(entries), accept_short=accept)


def test_generated_extracts_meet_every_expectation(small_raw: Path) -> None:
    assert _check(small_raw) == []


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_an_empty_dataset_folder_is_an_error_naming_it(tmp_path: Path, dataset: str) -> None:
    raw = tmp_path / "raw"
    for name in DATASETS:
        (raw / name).mkdir(parents=True)
    with pytest.raises(ShortDataError, match=rf"{dataset}: dataset {dataset} has no data file"):
        check_expected(current_entries(raw), dataset_folders(raw), [])


def test_accepting_short_data_turns_the_errors_into_warnings(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    for name in DATASETS:
        (raw / name).mkdir(parents=True)
    problems = check_expected(current_entries(raw), dataset_folders(raw), [], accept_short=True)
    assert len(problems) == len(DATASETS)


def _rewrite(path: Path, change: dict[str, object], suffix: str | None = None) -> Path:
    """Rewrite a generated Parquet file with some columns replaced (as another format)."""
    frame = pq.read_table(path).to_pandas()
    for column, value in change.items():
        frame[column] = value
    target = path.with_suffix(suffix) if suffix else path
    path.unlink()
    if target.suffix == ".csv":
        frame.to_csv(target, index=False)
    elif target.suffix == ".sav":
        pyreadstat.write_sav(frame, str(target), variable_value_labels={"ROL": {1: "A", 2: "S"}})
    else:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target)
    return target


@pytest.fixture()
def raw(small_raw: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(small_raw, tmp_path / "raw"))


def test_birth_year_written_as_float_text_names_file_and_column(raw: Path) -> None:
    path = next((raw / "GBAPERSOONTAB").iterdir())
    years = pq.read_table(path).column("GBAGEBOORTEJAAR").to_pylist()
    csv = _rewrite(path, {"GBAGEBOORTEJAAR": [f"{y}.0" for y in years]}, ".csv")
    with pytest.raises(ShortDataError) as info:
        _check(raw)
    assert f"{csv}: column GBAGEBOORTEJAAR: only 0 of 20000 values" in str(info.value)
    assert "'19" in str(info.value) and "1988, not 1988.0" in str(info.value)


@pytest.mark.parametrize("value", ["R ", "r"])
def test_person_key_type_not_exactly_r_names_the_column(raw: Path, value: str) -> None:
    path = raw / "SLOAANG" / "SLOAANG2018CBKV1.parquet"
    csv = _rewrite(path, {"RINPERSOONS": value}, ".csv")
    with pytest.raises(ShortDataError, match=rf"{csv.name}: column RINPERSOONS: only 0 of"):
        _check(raw)


def test_spss_role_coded_1_2_with_value_labels_names_the_column(raw: Path) -> None:
    path = raw / "SLOAANG" / "SLOAANG2018CBKV1.parquet"
    roles = pq.read_table(path).column("ROL").to_pylist()
    sav = _rewrite(path, {"ROL": [1 if r == "A" else 2 for r in roles]}, ".sav")
    with pytest.raises(ShortDataError) as info:
        _check(raw)
    assert f"{sav}: column ROL: only 0 of" in str(info.value)
    assert "values in the coding A, S" in str(info.value) and "SPSS value codes" in str(info.value)


def test_parquet_named_csv_says_so(tmp_path: Path) -> None:
    path = tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv"
    path.parent.mkdir()
    pq.write_table(pa.Table.from_pylist([SLOAANG_ROW]), path)
    with pytest.raises(RawExtractError, match=r"this is a Parquet file named \.csv; rename it"):
        load(tmp_path)


def test_header_with_spaces_around_a_name_loads(tmp_path: Path) -> None:
    path = sloaang_csv(tmp_path / "SLOAANG" / "SLOAANG2015CBKV1.csv")
    path.write_text(path.read_text().replace("RINPERSOON,", " RINPERSOON ,", 1))
    spec = DATASETS["SLOAANG"]
    from blsu_ingest.inventory import inventory_dataset
    from blsu_ingest.readers import read_files

    table = read_files([e for e in inventory_dataset(tmp_path, spec)], spec).read_all()
    assert table.column("RINPERSOON").to_pylist() == ["000000001"]


def test_header_with_spaces_around_a_name_in_parquet_loads(raw: Path) -> None:
    path = raw / "SLOAANG" / "SLOAANG2018CBKV1.parquet"
    table = pq.read_table(path)
    pq.write_table(table.rename_columns([f" {n} " for n in table.column_names]), path)
    assert _check(raw) == []
    paths = Paths(raw_dir=raw, db=raw.parent / "w.duckdb", results=raw.parent / "r")
    assert check_inputs(paths, {}).shortfalls == []


def test_a_shortfall_in_one_file_of_many_is_named(raw: Path) -> None:
    path = raw / "OMZAKEN" / "OMZAKEN2010TABV1.parquet"
    _rewrite(path, {"OMINSCHRIJVINGSDATUM": "2010-05-01"})
    with pytest.raises(ShortDataError, match=r"OMZAKEN2010TABV1\.parquet: column "
                       r"OMINSCHRIJVINGSDATUM: only 0 of \d+ values \(0%\) are YYYYMMDD dates"):
        _check(raw)
