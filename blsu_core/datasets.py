"""The datasets of the raw-extract contract: folder, file-name pattern, version rule, columns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# "per_year": every file year is used, each at its highest version (yearly files).
# "latest": only one file is used: the newest year, then the highest version (snapshots).
VersionRule = Literal["per_year", "latest"]

EXTENSIONS: tuple[str, ...] = (".parquet", ".csv", ".sav")
PERSON_KEY: tuple[str, ...] = ("RINPERSOONS", "RINPERSOON")


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset folder of the raw-extract contract.

    `stem` is the file name without its extension, with the placeholders `{year}` (four
    digits) and `{version}` (a number) where the name has them: the generator writes names with
    `file_stem`, and the loader matches names case-insensitively against `pattern`, made from
    it (a placeholder the stem lacks means the value is null).
    `source` is the dbt source table (`source('cbs', ...)`); `date_columns` are YYYYMMDD columns
    of which at least one value per file must parse (a whole column that fails is an error).
    """

    name: str
    stem: str
    version_rule: VersionRule
    required_columns: tuple[str, ...]
    source: str
    date_columns: tuple[str, ...] = ()

    @property
    def yearly(self) -> bool:
        """True for datasets with one file per year, loaded and replaced year by year."""
        return self.version_rule == "per_year"

    @property
    def pattern(self) -> str:
        """The regular expression of the file-name stem, with the groups `year` and `version`."""
        parts = re.split(r"(\{year\}|\{version\})", self.stem)
        groups = {"{year}": r"(?P<year>\d{4})", "{version}": r"(?P<version>\d+)"}
        return "".join(groups.get(part, re.escape(part)) for part in parts)

    def match(self, stem: str) -> re.Match[str] | None:
        """Match a file-name stem against the dataset's pattern."""
        return re.fullmatch(self.pattern, stem, flags=re.IGNORECASE)

    def file_stem(self, year: int | None = None, version: int | None = None) -> str:
        """The stem of the file of `year` and `version` (those the stem has)."""
        return self.stem.format(year=year, version=version)


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "GBAPERSOONTAB",
            "GBAPERSOON{year}TABV{version}",
            "latest",
            (
                *PERSON_KEY,
                "GBAGESLACHT",
                "GBAGEBOORTEJAAR",
                "GBAGEBOORTEMAAND",
                "GBAGENERATIE",
                "GBAHERKOMSTGROEPERING",
            ),
            "gbapersoontab",
        ),
        DatasetSpec(
            "GBAOVERLIJDENTAB",
            "GBAOVERLIJDEN{year}TABV{version}",
            "latest",
            (*PERSON_KEY, "GBADATUMOVERLIJDEN"),
            "gbaoverlijdentab",
            ("GBADATUMOVERLIJDEN",),
        ),
        DatasetSpec(
            "OMZAKEN",
            "OMZAKEN{year}TABV{version}",
            "per_year",
            (*PERSON_KEY, "OMZAAKNUMMER", "OMINSCHRIJVINGSDATUM", "OMPLEEGDATUM", "FEITCODE"),
            "omzaken",
            ("OMINSCHRIJVINGSDATUM",),
        ),
        DatasetSpec(
            "BLSU_STEEKPROEF",
            "BLSU_STEEKPROEF",
            "latest",
            (*PERSON_KEY, "OMZAAKNUMMER", "PLEEGDATUM_EERSTE_MH", "DADERPROFIEL"),
            "blsu_steekproef",
            ("PLEEGDATUM_EERSTE_MH",),
        ),
        DatasetSpec(
            "AO_2015_2021",
            "AO2015_2021V{version}",
            "latest",
            (*PERSON_KEY, "AOJAAR", "AOREGELING", "AODIAGNOSECODE"),
            "ao_2015_2021",
        ),
        DatasetSpec(
            "CIZ_2017_2021",
            "CIZ2017_2021V{version}",
            "latest",
            (*PERSON_KEY, "CIZBESLUITDATUM", "CIZZZP"),
            "ciz_2017_2021",
            ("CIZBESLUITDATUM",),
        ),
        DatasetSpec(
            "WSW_2015_2021",
            "WSW2015_2021V{version}",
            "latest",
            (*PERSON_KEY, "WSWJAAR", "WSWHANDICAPCODE"),
            "wsw_2015_2021",
        ),
        DatasetSpec(
            "SLOAANG",
            "SLOAANG{year}CBKV{version}",
            "per_year",
            (
                *PERSON_KEY,
                "VOORVALNUMMER",
                "ROL",
                "FEITCODE",
                "PLEEGDATUM",
                "REGISTRATIEDATUM",
            ),
            "sloaang",
            ("REGISTRATIEDATUM",),
        ),
    )
}
