"""Which files of a dataset a load must read, given what the warehouse already holds.

A yearly dataset (OMZAKEN, SLOAANG) is loaded year by year: a year that is new is added, a year
whose used file differs from the one the warehouse holds (a higher version, or the same name with
another size or modification time) is replaced wholesale, an unchanged year is not read at all.
A year the warehouse holds but the folder no longer has is an error: a refresh never deletes
data silently. Snapshot datasets are small and always loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from blsu.loader.datasets import DatasetSpec
from blsu.loader.inventory import FileEntry, RawExtractError


@dataclass(frozen=True)
class HeldFile:
    """A file whose rows the warehouse holds: the used file of one year of a dataset."""

    year: int | None
    file_name: str
    version: int | None
    signature: str


@dataclass(frozen=True)
class YearChange:
    """One year (or, for a snapshot, the single file) that a load adds or replaces."""

    dataset: str
    year: int | None
    new: FileEntry
    old: HeldFile | None

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


@dataclass(frozen=True)
class LoadPlan:
    """The files to read for one dataset and what they change."""

    dataset: str
    full: bool
    changes: list[YearChange] = field(default_factory=list)

    @property
    def files(self) -> list[FileEntry]:
        return [change.new for change in self.changes]

    @property
    def years(self) -> list[int | None]:
        return [change.year for change in self.changes]


def used_files(entries: list[FileEntry]) -> list[FileEntry]:
    return [entry for entry in entries if entry.status == "used"]


def plan_load(
    spec: DatasetSpec, entries: list[FileEntry], held: list[HeldFile] | None, folder: Path
) -> LoadPlan:
    """Compare the used files with the held ones; `held=None` means a full load.

    Raises when a held year has no file any more, naming the dataset, the year and the file.
    """
    used = used_files(entries)
    if held is None:
        return LoadPlan(spec.name, True, [YearChange(spec.name, e.year, e, None) for e in used])
    key = (lambda item: item.year) if spec.yearly else (lambda item: None)
    held_by_key = {key(item): item for item in held}
    used_by_key = {key(entry): entry for entry in used}
    gone = sorted(k for k in held_by_key if k not in used_by_key and k is not None)
    if gone:
        names = ", ".join(f"{year} ({held_by_key[year].file_name})" for year in gone)
        raise RawExtractError(
            f"{folder}: year(s) {names} of {spec.name} are in the warehouse but their file is "
            "gone from the folder; a refresh never removes a year. Put the file back, or "
            "rebuild from scratch with `blsu build` if the year is meant to go"
        )
    changes = []
    for k, entry in sorted(used_by_key.items(), key=lambda item: (item[0] is None, item[0])):
        old = held_by_key.get(k)
        if old is None or (old.file_name, old.signature) != (entry.file_name, entry.signature):
            changes.append(YearChange(spec.name, entry.year, entry, old))
    return LoadPlan(spec.name, False, changes)
