"""Which years of a dataset a refresh must load, from the comparison of its folder with the
inventory the warehouse was built from (`blsu_ingest.inventory.compare`).

A yearly dataset (OMZAKEN, SLOAANG) is loaded year by year: a year that is new is added, a year
whose used file differs from the one the warehouse holds (a higher version, or the same name with
another size or modification time) is replaced wholesale, an unchanged year is not read at all.
A year the warehouse holds but the folder no longer has is an error: a refresh never deletes
data silently. Snapshot datasets are small and always loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from blsu_core.datasets import DatasetSpec
from blsu_ingest.inventory import BaselineFile, FileEntry, FileState, RawExtractError


@dataclass(frozen=True)
class YearChange:
    """One year (or, for a snapshot, the single file) that a load adds or replaces."""

    dataset: str
    year: int | None
    new: FileEntry
    old: BaselineFile | None

    def describe(self) -> str:
        """E.g. `SLOAANG 2024 added`, `SLOAANG 2015 V2 replaces V1`, `OMZAKEN 2003 V1 changed`."""
        label = f"{self.dataset} {self.year}" if self.year is not None else self.dataset
        if self.old is None:
            return f"{label} added"
        if self.old.file_name == self.new.file_name:
            return (
                f"{label} V{self.new.version} changed" if self.new.version else f"{label} changed"
            )
        if self.year is None or self.old.year != self.year:
            return f"{self.dataset} {self.new.file_name} replaces {self.old.file_name}"
        return f"{label} V{self.new.version} replaces V{self.old.version}"


def plan_load(spec: DatasetSpec, states: list[FileState], folder: Path) -> list[YearChange]:
    """The years to load: every used file that is new or changed, with the file it replaces.

    Raises when a held year has no used file any more, naming the dataset, the year and the file.
    """
    def key(item: FileEntry | BaselineFile) -> int | None:
        return item.year if spec.yearly else None

    held = {key(s.before): s.before for s in states if s.before and s.before.status == "used"}
    used = {key(s.now): s for s in states if s.now and s.now.status == "used"}
    gone = sorted(k for k in held if k not in used and k is not None)
    if gone:
        names = ", ".join(f"{year} ({held[year].file_name})" for year in gone)
        raise RawExtractError(
            f"{folder}: year(s) {names} of {spec.name} are in the warehouse but their file is "
            "gone from the folder; a refresh never removes a year. Put the file back, or "
            "rebuild from scratch with `blsu build` if the year is meant to go"
        )
    return [
        YearChange(spec.name, s.now.year, s.now, held.get(k))
        for k, s in sorted(used.items(), key=lambda item: (item[0] is None, item[0]))
        if s.now is not None and s.state != "unchanged"
    ]
