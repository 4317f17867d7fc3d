"""File layout of the synthetic extracts: the years written, and the folders, file names and
columns of the raw-extract contract as the loader defines them (`blsu_core.datasets`)."""

from __future__ import annotations

from blsu_core.datasets import DATASETS as CONTRACT

REGISTER_YEAR = 2023
OM_YEARS = tuple(range(2001, 2022))
POLICE_YEARS = tuple(range(2010, 2024))
POLICE_EXTRA_YEARS = (2009,)  # outside the study window

COLUMNS: dict[str, list[str]] = {
    name: list(spec.required_columns) for name, spec in CONTRACT.items()
}

DATASETS: tuple[str, ...] = tuple(COLUMNS)
LVB_FOLDERS = {"AO": "AO_2015_2021", "CIZ": "CIZ_2017_2021", "WSW": "WSW_2015_2021"}


def _file(dataset: str, year: int | None = None, version: int | None = None) -> tuple[str, str]:
    return dataset, CONTRACT[dataset].file_stem(year, version)


def register_file(version: int = 1) -> tuple[str, str]:
    return _file("GBAPERSOONTAB", REGISTER_YEAR, version)


def deaths_file(version: int = 1) -> tuple[str, str]:
    return _file("GBAOVERLIJDENTAB", REGISTER_YEAR, version)


def om_file(year: int, version: int = 1) -> tuple[str, str]:
    return _file("OMZAKEN", year, version)


def police_file(year: int, version: int = 1) -> tuple[str, str]:
    return _file("SLOAANG", year, version)


def sample_file() -> tuple[str, str]:
    return _file("BLSU_STEEKPROEF")


def lvb_file(source: str, version: int = 1) -> tuple[str, str]:
    return _file(LVB_FOLDERS[source], version=version)
