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

    `pattern` is matched case-insensitively against the file name without its extension and
    may define the named groups `year` and `version`; a missing group means the value is null.
    `source` is the dbt source table (`source('cbs', ...)`); `date_columns` are YYYYMMDD columns
    of which at least one value per file must parse (a whole column that fails is an error).
    """

    name: str
    pattern: str
    version_rule: VersionRule
    required_columns: tuple[str, ...]
    source: str
    date_columns: tuple[str, ...] = ()

    @property
    def yearly(self) -> bool:
        """True for datasets with one file per year, loaded and replaced year by year."""
        return self.version_rule == "per_year"

    def match(self, stem: str) -> re.Match[str] | None:
        """Match a file-name stem against the dataset's pattern."""
        return re.fullmatch(self.pattern, stem, flags=re.IGNORECASE)


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "GBAPERSOONTAB",
            r"GBAPERSOON(?P<year>\d{4})TABV(?P<version>\d+)",
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
            r"GBAOVERLIJDEN(?P<year>\d{4})TABV(?P<version>\d+)",
            "latest",
            (*PERSON_KEY, "GBADATUMOVERLIJDEN"),
            "gbaoverlijdentab",
            ("GBADATUMOVERLIJDEN",),
        ),
        DatasetSpec(
            "OMZAKEN",
            r"OMZAKEN(?P<year>\d{4})TABV(?P<version>\d+)",
            "per_year",
            (*PERSON_KEY, "OMZAAKNUMMER", "OMINSCHRIJVINGSDATUM", "OMPLEEGDATUM", "FEITCODE"),
            "omzaken",
            ("OMINSCHRIJVINGSDATUM",),
        ),
        DatasetSpec(
            "BLSU_STEEKPROEF",
            r"BLSU_STEEKPROEF",
            "latest",
            (*PERSON_KEY, "OMZAAKNUMMER", "PLEEGDATUM_EERSTE_MH", "DADERPROFIEL"),
            "blsu_steekproef",
            ("PLEEGDATUM_EERSTE_MH",),
        ),
        DatasetSpec(
            "AO_2015_2021",
            r"AO2015_2021V(?P<version>\d+)",
            "latest",
            (*PERSON_KEY, "AOJAAR", "AOREGELING", "AODIAGNOSECODE"),
            "ao_2015_2021",
        ),
        DatasetSpec(
            "CIZ_2017_2021",
            r"CIZ2017_2021V(?P<version>\d+)",
            "latest",
            (*PERSON_KEY, "CIZBESLUITDATUM", "CIZZZP"),
            "ciz_2017_2021",
            ("CIZBESLUITDATUM",),
        ),
        DatasetSpec(
            "WSW_2015_2021",
            r"WSW2015_2021V(?P<version>\d+)",
            "latest",
            (*PERSON_KEY, "WSWJAAR", "WSWHANDICAPCODE"),
            "wsw_2015_2021",
        ),
        DatasetSpec(
            "SLOAANG",
            r"SLOAANG(?P<year>\d{4})CBKV(?P<version>\d+)",
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
