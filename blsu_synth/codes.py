"""Code lists the generator draws from: the project's seeds (feitcodes, LVB codes)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from blsu_core.project import SEEDS_DIR, codes

#: Report categories of feitcodes.csv (seed report_categories), in the fixed order used for
#: category matrices.
CATEGORIES: tuple[str, ...] = codes("report_categories")

HT_FEITCODE = "SR:273F"

#: Planted offence codes that are deliberately absent from feitcodes.csv (data-quality findings).
UNKNOWN_FEITCODES: tuple[str, ...] = ("SR:999Z", "XX:12", "OVW:0")


@dataclass(frozen=True)
class Feitcodes:
    """All feitcodes in a fixed order with their report category index."""

    codes: tuple[str, ...]
    category: tuple[int, ...]

    def codes_of(self, category: str) -> list[int]:
        """Indices (into `codes`) of the feitcodes of one report category."""
        cat = CATEGORIES.index(category)
        return [i for i, c in enumerate(self.category) if c == cat]

    def index(self, code: str) -> int:
        return self.codes.index(code)


@dataclass(frozen=True)
class LvbCodes:
    """Qualifying codes per LVB source (AO, CIZ, WSW) as read from lvb_codes.csv."""

    ao: tuple[str, ...]
    ciz: tuple[str, ...]
    wsw: tuple[str, ...]


def _read_csv(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"code list {path} not found: the generator reads the project seeds"
        )
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def load_feitcodes() -> Feitcodes:
    """Read seeds/feitcodes.csv; every row must name a known report category."""
    rows = _read_csv("feitcodes.csv")
    codes, cats = [], []
    for lineno, row in enumerate(rows, start=2):
        cat = row.get("report_category", "")
        if cat not in CATEGORIES:
            raise ValueError(
                f"seeds/feitcodes.csv line {lineno}: report_category {cat!r} is not one of "
                f"{', '.join(CATEGORIES)}"
            )
        codes.append(row["feitcode"])
        cats.append(CATEGORIES.index(cat))
    return Feitcodes(tuple(codes), tuple(cats))


@lru_cache(maxsize=1)
def load_lvb_codes() -> LvbCodes:
    """Read seeds/lvb_codes.csv into the qualifying code tuples of the three sources."""
    rows = _read_csv("lvb_codes.csv")
    by_source: dict[str, list[str]] = {"AO": [], "CIZ": [], "WSW": []}
    for lineno, row in enumerate(rows, start=2):
        source = row.get("source", "")
        if source not in by_source:
            raise ValueError(f"seeds/lvb_codes.csv line {lineno}: unknown source {source!r}")
        by_source[source].append(row["code"])
    return LvbCodes(tuple(by_source["AO"]), tuple(by_source["CIZ"]), tuple(by_source["WSW"]))
