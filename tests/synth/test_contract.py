"""Every generated dataset follows docs raw_extracts: names, columns, text, key and date formats."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from readers import files_of, read_any

from blsu_synth.codes import UNKNOWN_FEITCODES

FORMATS = ("parquet", "csv", "sav")

FILE_PATTERNS = {
    "GBAPERSOONTAB": r"GBAPERSOON\d{4}TABV\d+",
    "GBAOVERLIJDENTAB": r"GBAOVERLIJDEN\d{4}TABV\d+",
    "OMZAKEN": r"OMZAKEN\d{4}TABV\d+",
    "BLSU_STEEKPROEF": r"BLSU_STEEKPROEF",
    "AO_2015_2021": r"AO2015_2021V\d+",
    "CIZ_2017_2021": r"CIZ2017_2021V\d+",
    "WSW_2015_2021": r"WSW2015_2021V\d+",
    "SLOAANG": r"SLOAANG\d{4}CBKV\d+",
}

COLUMNS = {
    "GBAPERSOONTAB": [
        "RINPERSOONS",
        "RINPERSOON",
        "GBAGESLACHT",
        "GBAGEBOORTEJAAR",
        "GBAGEBOORTEMAAND",
        "GBAGENERATIE",
        "GBAHERKOMSTGROEPERING",
    ],
    "GBAOVERLIJDENTAB": ["RINPERSOONS", "RINPERSOON", "GBADATUMOVERLIJDEN"],
    "OMZAKEN": [
        "RINPERSOONS",
        "RINPERSOON",
        "OMZAAKNUMMER",
        "OMINSCHRIJVINGSDATUM",
        "OMPLEEGDATUM",
        "FEITCODE",
    ],
    "BLSU_STEEKPROEF": [
        "RINPERSOONS",
        "RINPERSOON",
        "OMZAAKNUMMER",
        "PLEEGDATUM_EERSTE_MH",
        "DADERPROFIEL",
    ],
    "AO_2015_2021": ["RINPERSOONS", "RINPERSOON", "AOJAAR", "AOREGELING", "AODIAGNOSECODE"],
    "CIZ_2017_2021": ["RINPERSOONS", "RINPERSOON", "CIZBESLUITDATUM", "CIZZZP"],
    "WSW_2015_2021": ["RINPERSOONS", "RINPERSOON", "WSWJAAR", "WSWHANDICAPCODE"],
    "SLOAANG": [
        "RINPERSOONS",
        "RINPERSOON",
        "VOORVALNUMMER",
        "ROL",
        "FEITCODE",
        "PLEEGDATUM",
        "REGISTRATIEDATUM",
    ],
}

DATE_COLUMNS = {
    "GBAOVERLIJDENTAB": ["GBADATUMOVERLIJDEN"],
    "OMZAKEN": ["OMINSCHRIJVINGSDATUM", "OMPLEEGDATUM"],
    "BLSU_STEEKPROEF": ["PLEEGDATUM_EERSTE_MH"],
    "CIZ_2017_2021": ["CIZBESLUITDATUM"],
    "SLOAANG": ["PLEEGDATUM", "REGISTRATIEDATUM"],
}


def _values(table: pa.Table, column: str) -> set[str]:
    return set(pc.unique(table[column]).to_pylist())


def _feitcodes(seeds: Path) -> set[str]:
    with (seeds / "feitcodes.csv").open(encoding="utf-8") as fh:
        return {row["feitcode"] for row in csv.DictReader(fh)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_dataset_has_its_folder_and_contract_file_names(
    small_by_format: dict[str, Path], fmt: str
) -> None:
    root = small_by_format[fmt]
    for dataset, pattern in FILE_PATTERNS.items():
        files = files_of(root, dataset)
        assert files, f"{dataset}: no files"
        for f in files:
            assert f.suffix == f".{fmt}"
            assert re.fullmatch(pattern, f.stem), f"{f.name} does not match {pattern}"


def test_om_files_cover_every_registration_year_2001_2021(small_parquet: Path) -> None:
    years = {int(f.stem[7:11]) for f in files_of(small_parquet, "OMZAKEN")}
    assert years == set(range(2001, 2022))


def test_police_files_cover_2010_2023_plus_an_earlier_year(small_parquet: Path) -> None:
    years = {int(f.stem[7:11]) for f in files_of(small_parquet, "SLOAANG")}
    assert years == set(range(2009, 2024))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_column_is_upper_case_text_in_contract_order(
    small_by_format: dict[str, Path], fmt: str
) -> None:
    root = small_by_format[fmt]
    for dataset, columns in COLUMNS.items():
        for f in files_of(root, dataset):
            table = read_any(f)
            assert table.column_names == columns, f.name
            for field in table.schema:
                assert pa.types.is_string(field.type) or pa.types.is_large_string(field.type), (
                    f"{f.name}.{field.name} is {field.type}"
                )


@pytest.mark.parametrize("fmt", FORMATS)
def test_rinpersoon_is_nine_digit_text_and_rinpersoons_one_character(
    small_by_format: dict[str, Path], fmt: str
) -> None:
    for dataset in COLUMNS:
        for f in files_of(small_by_format[fmt], dataset):
            table = read_any(f)
            assert all(re.fullmatch(r"\d{9}", v) for v in _values(table, "RINPERSOON")), f.name
            assert all(len(v) == 1 for v in _values(table, "RINPERSOONS")), f.name


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_are_yyyymmdd_or_empty(small_by_format: dict[str, Path], fmt: str) -> None:
    for dataset, columns in DATE_COLUMNS.items():
        for f in files_of(small_by_format[fmt], dataset):
            table = read_any(f)
            for column in columns:
                for v in _values(table, column):
                    assert v == "" or re.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])\d{2}", v), (
                        f"{f.name}.{column}: {v!r}"
                    )


def test_register_key_is_unique_and_attributes_use_contract_codes(small_parquet: Path) -> None:
    (f,) = files_of(small_parquet, "GBAPERSOONTAB")
    table = read_any(f)
    keys = pc.binary_join_element_wise(table["RINPERSOONS"], table["RINPERSOON"], "")
    assert len(pc.unique(keys)) == table.num_rows == 20_000
    assert _values(table, "GBAGESLACHT") <= {"1", "2", "-"}
    assert _values(table, "GBAGENERATIE") == {"0", "1", "2", "-"}
    assert _values(table, "GBAGEBOORTEMAAND") == {f"{m:02d}" for m in range(1, 13)}
    assert all(re.fullmatch(r"\d{4}", v) for v in _values(table, "GBAHERKOMSTGROEPERING"))
    assert all(re.fullmatch(r"(19|20)\d{2}", v) for v in _values(table, "GBAGEBOORTEJAAR"))


def test_feitcodes_come_from_the_list_except_planted_unknowns(
    small_parquet: Path, seeds_dir: Path
) -> None:
    known = _feitcodes(seeds_dir)
    seen: set[str] = set()
    for dataset in ("OMZAKEN", "SLOAANG"):
        for f in files_of(small_parquet, dataset):
            seen |= _values(read_any(f), "FEITCODE")
    assert seen - known == set(UNKNOWN_FEITCODES) & (seen - known)
    assert seen - known, "the planted unknown feitcodes are missing"


def test_lvb_codes_are_qualifying_codes_or_known_non_qualifying_ones(
    small_parquet: Path, seeds_dir: Path
) -> None:
    with (seeds_dir / "lvb_codes.csv").open(encoding="utf-8") as fh:
        qualifying = {(row["source"], row["code"]) for row in csv.DictReader(fh)}
    for source, dataset, column in [
        ("AO", "AO_2015_2021", "AODIAGNOSECODE"),
        ("CIZ", "CIZ_2017_2021", "CIZZZP"),
        ("WSW", "WSW_2015_2021", "WSWHANDICAPCODE"),
    ]:
        codes = set().union(
            *(_values(read_any(f), column) for f in files_of(small_parquet, dataset))
        )
        assert {c for s, c in qualifying if s == source} <= codes, source
    ao = read_any(files_of(small_parquet, "AO_2015_2021")[-1])
    assert _values(ao, "AOREGELING") == {"WAO", "WIA", "WAZ", "WAJONG"}


def test_sample_has_exact_profile_counts_from_the_shares(small_parquet: Path) -> None:
    sample = read_any(files_of(small_parquet, "BLSU_STEEKPROEF")[0])
    profiles = sample["DADERPROFIEL"].to_pylist()
    counts = {p: profiles.count(p) for p in set(profiles)}
    # 63 * (36, 28, 21, 15)% = 22.68, 17.64, 13.23, 9.45 -> largest remainder 23/18/13/9
    assert counts == {"incidenteel": 23, "vroeg_piek": 18, "laat_piek": 13, "continu": 9}


def test_sample_cases_are_human_trafficking_cases_registered_2008_2017(
    small_parquet: Path,
) -> None:
    sample = read_any(files_of(small_parquet, "BLSU_STEEKPROEF")[0]).to_pylist()
    om = pa.concat_tables(read_any(f) for f in files_of(small_parquet, "OMZAKEN")).to_pylist()
    ht_cases = {(r["RINPERSOON"], r["OMZAAKNUMMER"]): r for r in om if r["FEITCODE"] == "SR:273F"}
    for s in sample:
        case = ht_cases[(s["RINPERSOON"], s["OMZAAKNUMMER"])]
        assert "20080101" <= case["OMINSCHRIJVINGSDATUM"] <= "20171231"
        assert case["OMPLEEGDATUM"] == s["PLEEGDATUM_EERSTE_MH"]


def test_manifest_records_seed_size_format_parameters_and_row_counts(
    small_parquet: Path,
) -> None:
    manifest = json.loads((small_parquet / "manifest.json").read_text())
    assert manifest["seed"] == 20240201
    assert manifest["size"] == "small"
    assert manifest["format"] == "parquet"
    assert manifest["generator_version"]
    calibration = manifest["calibration"]
    assert calibration["lvb_p0"] == 0.02
    assert calibration["group_rates"]["criminal"]["victim"] == 0.60
    assert calibration["profiles"]["continu"]["mean_cases_before_first_ht"] == 22.4
    for name, rows in manifest["row_counts"].items():
        assert read_any(small_parquet / name).num_rows == rows, name
    assert len(manifest["row_counts"]) == sum(
        len(files_of(small_parquet, d)) for d in FILE_PATTERNS
    )
