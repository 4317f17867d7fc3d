"""File layout of the raw-extract contract: folders, file names and columns per dataset."""

from __future__ import annotations

REGISTER_YEAR = 2023
OM_YEARS = tuple(range(2001, 2022))
POLICE_YEARS = tuple(range(2010, 2024))
POLICE_EXTRA_YEARS = (2009,)  # outside the study window

COLUMNS: dict[str, list[str]] = {
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

DATASETS: tuple[str, ...] = tuple(COLUMNS)


def register_file(version: int = 1) -> tuple[str, str]:
    return "GBAPERSOONTAB", f"GBAPERSOON{REGISTER_YEAR}TABV{version}"


def deaths_file(version: int = 1) -> tuple[str, str]:
    return "GBAOVERLIJDENTAB", f"GBAOVERLIJDEN{REGISTER_YEAR}TABV{version}"


def om_file(year: int, version: int = 1) -> tuple[str, str]:
    return "OMZAKEN", f"OMZAKEN{year}TABV{version}"


def police_file(year: int, version: int = 1) -> tuple[str, str]:
    return "SLOAANG", f"SLOAANG{year}CBKV{version}"


def sample_file() -> tuple[str, str]:
    return "BLSU_STEEKPROEF", "BLSU_STEEKPROEF"


def lvb_file(source: str, version: int = 1) -> tuple[str, str]:
    folder = {"AO": "AO_2015_2021", "CIZ": "CIZ_2017_2021", "WSW": "WSW_2015_2021"}[source]
    stem = {"AO": "AO2015_2021", "CIZ": "CIZ2017_2021", "WSW": "WSW2015_2021"}[source]
    return folder, f"{stem}V{version}"
