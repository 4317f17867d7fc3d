"""File inventory of a dataset folder and the choice of which file versions are used.

The inventory is the unit of incremental loading: every file is identified by
(dataset, year, version) plus its size and modification time, so a later load can tell which
years are new and which were replaced by a higher version, and reload only those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from blsu_core.datasets import EXTENSIONS, DatasetSpec

Status = Literal["used", "superseded", "unrecognised", "unknown_folder"]


class RawExtractError(Exception):
    """A raw extract that does not follow the raw-extract contract."""


@dataclass(frozen=True)
class FileEntry:
    """One file found in a dataset folder."""

    dataset: str
    path: Path
    year: int | None
    version: int | None
    status: Status
    size_bytes: int
    modified: float
    modified_ns: int = 0

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def signature(self) -> str:
        """Size and modification time (ns): a file with the same name and signature is unchanged.

        Comparing the signature never opens the file, so an unchanged year is never re-read. A
        file copied without keeping its modification time looks changed and is reloaded, which
        costs time but never changes the result.
        """
        return f"{self.size_bytes}:{self.modified_ns}"

    @property
    def file_format(self) -> str:
        return self.path.suffix.lower().lstrip(".")


def find_dataset_folder(raw_dir: Path, dataset: str) -> Path:
    """Return the dataset's folder under `raw_dir`, matching the folder name in any case."""
    if not raw_dir.is_dir():
        raise RawExtractError(
            f"raw extract folder {raw_dir} does not exist; set BLSU_RAW_DIR to a folder laid "
            "out as in raw_extracts.md, or generate synthetic extracts with `blsu generate`"
        )
    for child in sorted(raw_dir.iterdir()):
        if child.is_dir() and child.name.upper() == dataset.upper():
            return child
    from blsu_core.datasets import DATASETS

    others = [folder.name for folder in unrecognised_folders(raw_dir, list(DATASETS))]
    hint = f"; folders that are no dataset: {', '.join(others)} (misspelled?)" if others else ""
    raise RawExtractError(
        f"dataset folder {raw_dir / dataset} not found (expected by raw_extracts.md){hint}"
    )


def _scan(folder: Path, spec: DatasetSpec) -> list[tuple[Path, int | None, int | None, bool]]:
    """List data files as (path, year, version, recognised); hidden and other files are skipped."""
    found = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.suffix.lower() not in EXTENSIONS:
            continue
        match = spec.match(path.stem)
        if match is None:
            found.append((path, None, None, False))
            continue
        groups = match.groupdict()
        year = int(groups["year"]) if groups.get("year") else None
        version = int(groups["version"]) if groups.get("version") else None
        found.append((path, year, version, True))
    return found


def _rank(year: int | None, version: int | None, spec: DatasetSpec) -> tuple[int, int]:
    """Sort key of a file within its selection group: newest year, then highest version."""
    if spec.version_rule == "per_year":
        return (0, version if version is not None else -1)
    return (year if year is not None else -1, version if version is not None else -1)


def inventory_dataset(raw_dir: Path, spec: DatasetSpec) -> list[FileEntry]:
    """Inventory one dataset folder and mark each file used, superseded or unrecognised.

    Yearly datasets use every year at its highest version (a corrected year replaces the old one
    wholesale); snapshot datasets use the single newest year, then highest version. Two files
    with the same year and version (e.g. a .csv and a .parquet) are ambiguous and rejected.
    """
    folder = find_dataset_folder(raw_dir, spec.name)
    scanned = _scan(folder, spec)
    recognised = [item for item in scanned if item[3]]
    groups: dict[int | None, list[tuple[Path, int | None, int | None, bool]]] = {}
    for item in recognised:
        key = item[1] if spec.version_rule == "per_year" else None
        groups.setdefault(key, []).append(item)
    used: set[Path] = set()
    for members in groups.values():
        ranked = sorted(members, key=lambda m: _rank(m[1], m[2], spec), reverse=True)
        best = ranked[0]
        top = _rank(best[1], best[2], spec)
        ties = [m[0].name for m in ranked if _rank(m[1], m[2], spec) == top]
        if len(ties) > 1:
            raise RawExtractError(
                f"{folder}: files {', '.join(ties)} have the same year and version; "
                "keep exactly one of them"
            )
        used.add(best[0])
    entries = []
    for path, year, version, ok in scanned:
        status: Status = "unrecognised" if not ok else ("used" if path in used else "superseded")
        stat = path.stat()
        entries.append(
            FileEntry(
                spec.name,
                path,
                year,
                version,
                status,
                stat.st_size,
                stat.st_mtime,
                stat.st_mtime_ns,
            )
        )
    return entries


def unrecognised_folders(raw_dir: Path, known: list[str]) -> list[Path]:
    """Folders under `raw_dir` that are not a dataset of the contract (e.g. a misspelled name).

    Their files are never loaded; callers warn about them and the inventory lists them.
    """
    if not raw_dir.is_dir():
        return []
    names = {name.upper() for name in known}
    return [
        child
        for child in sorted(raw_dir.iterdir())
        if child.is_dir() and not child.name.startswith(".") and child.name.upper() not in names
    ]


def data_files(folder: Path) -> list[Path]:
    """The files of a folder with a data-file extension (hidden files skipped)."""
    return [
        path
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in EXTENSIONS
    ]


@dataclass(frozen=True)
class BaselineFile:
    """One file as a baseline inventory recorded it: the ingest folder's last ingestion, or the
    ingestion a warehouse was built from (its record)."""

    dataset: str
    file_name: str
    year: int | None
    version: int | None
    status: str
    signature: str


@dataclass(frozen=True)
class FileState:
    """One file of a dataset folder compared with a baseline; `now` is None for a gone file."""

    now: FileEntry | None
    before: BaselineFile | None

    @property
    def file_name(self) -> str:
        found = self.now or self.before
        return found.file_name if found is not None else ""

    @property
    def state(self) -> str:
        """new, changed, unchanged (used files), superseded, unrecognised, unknown_folder (files
        that are not used, whatever the baseline says), gone (in the baseline only)."""
        if self.now is None:
            return "gone"
        if self.now.status != "used":
            return self.now.status
        if self.before is None:
            return "new"
        if (self.before.status, self.before.signature) != ("used", self.now.signature):
            return "changed"
        return "unchanged"

    @property
    def differs(self) -> bool:
        """True when the file's status or signature is not the baseline's."""
        if self.now is None or self.before is None:
            return True
        return (self.now.status, self.now.signature) != (self.before.status, self.before.signature)


def compare(current: list[FileEntry], baseline: list[BaselineFile]) -> list[FileState]:
    """The one change detector: every current file of one folder against a baseline inventory
    of that folder, then the baseline's files that are gone (by name)."""
    before = {row.file_name: row for row in baseline}
    states = [FileState(entry, before.get(entry.file_name)) for entry in current]
    present = {entry.file_name for entry in current}
    states += [FileState(None, before[name]) for name in sorted(set(before) - present)]
    return states
