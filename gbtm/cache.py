"""Stored trajectory fits: the warehouse's fit is estimated once per input, then reused.

Estimating K = 1..6 from many random starts is the costliest step of a build, and its result
depends only on the offenders' age counts, the model's settings and the estimator's code. So the
table of int_trajectory_fits (`gbtm.warehouse.fits_table`) is stored in a folder of files, one per
input, under a key that is the SHA-256 digest of

- the content of int_offender_age_counts, rows in a canonical order (the estimator sorts its
  input, so row order never changes a fit; var trajectory_min_age acts through this table);
- the settings the table is fitted with (groups, starts, seed, and the model's degree and family);
- the code: every module of the gbtm package that `gbtm.warehouse` imports, directly or not,
  found by reading their import statements at run time (a new module of the estimator counts
  as soon as it is imported), and the versions of the libraries those modules import.

A build, a refresh, or another var or model that the fit does not read finds the stored table
and returns it; new OM data, another trajectory var or an edited estimator make a new key, so the
model is fitted again. An entry is one Parquet file `<key>.parquet`: the table (pandas' dtypes
kept) and, in the file's metadata, the inputs of its key and a digest of its content. An entry is
written to a temporary file and renamed into place, so a build running at the same time never
reads half of one; it is verified when read (inputs and digest), and an entry that cannot be read
or does not match is fitted again and replaced, never used. The newest `KEEP` entries are kept
(a hit counts as use); older ones are removed after each store.

The folder is the model's config `trajectory_cache` (dbt_project.yml: `$BLSU_TRAJECTORY_CACHE`,
else `trajectory_fits` in the ingest folder); `off` turns the store off. `blsu trajectories cache`
lists the entries, `--clear` removes them (docs/trajectories.md).
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

FORMAT = 1  # the layout of an entry; a new layout makes new keys
KEEP = 32  # entries kept, newest use first
METADATA_KEY = b"gbtm.fit_cache"
SUFFIX = ".parquet"
OFF = "off"
FOLDER_NAME = "trajectory_fits"  # in the ingest folder (config trajectory_cache's default)
PACKAGE = Path(__file__).resolve().parent
ROOT_MODULE = "gbtm.warehouse"

Say = Callable[[str], None]


def _print(line: str) -> None:
    """One line to stdout in one write (dbt's threads write there too)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------
# the key


def table_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's column names and values, rows in a canonical (sorted) order."""
    columns = sorted(frame.columns)
    ordered = frame[columns].sort_values(columns, na_position="first", kind="mergesort")
    text = ordered.to_csv(index=False, lineterminator="\n", na_rep="<null>")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _module_file(name: str) -> Path | None:
    """The source file of a gbtm module (package or module), if it exists."""
    parts = name.split(".")[1:]
    if not parts:
        return PACKAGE / "__init__.py"
    relative = Path(*parts)
    for candidate in (PACKAGE / relative.with_suffix(".py"), PACKAGE / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> Iterator[str]:
    """The absolute module names one file imports (relative imports resolved within gbtm)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(["gbtm", *path.relative_to(PACKAGE).parent.parts])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def code_files(root: str = ROOT_MODULE) -> tuple[list[Path], set[str]]:
    """The gbtm source files `root` imports, directly or not (itself and this module
    included), and the top-level names of the other modules they import."""
    todo, seen, outside = [root, __name__], set(), set()
    files: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name.split(".")[0] != "gbtm":
            outside.add(name.split(".")[0])
            continue
        path = _module_file(name)
        if path is None or str(path) in files:
            continue  # a name imported from a module, not a module itself
        files[str(path)] = path
        todo.extend(_imports(path))
    return sorted(files.values()), outside


def library_versions(modules: set[str]) -> dict[str, str]:
    """Versions of the installed distributions that provide `modules` (the standard library
    and this project left out)."""
    providers = metadata.packages_distributions()
    own = set(providers.get("gbtm", []))  # this project: its code is read, not versioned
    versions = {}
    for module in sorted(modules - set(sys.stdlib_module_names) - {"gbtm"}):
        for dist in set(providers.get(module, [])) - own:
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
    return versions


def code_version() -> dict[str, Any]:
    """The estimator's code version: a digest of its source files and its libraries' versions."""
    files, outside = code_files()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return {"sources": digest.hexdigest(), "libraries": library_versions(outside)}


def key_inputs(counts: pd.DataFrame, settings: dict[str, Any]) -> dict[str, Any]:
    """Everything the key is made of, as stored beside the entry."""
    return {
        "format": FORMAT,
        "age_counts": table_digest(counts),
        "settings": {name: settings[name] for name in sorted(settings)},
        "code": code_version(),
    }


def key_of(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# the folder


def folder_setting(value: object) -> Path | None:
    """The store's folder from the config value (None: off)."""
    text = "" if value is None else str(value).strip()
    if not text or text.lower() == OFF:
        return None
    return Path(text).expanduser()


@dataclass(frozen=True)
class Entry:
    """One stored fit."""

    path: Path
    inputs: dict[str, Any]
    written_at: str
    n_rows: int
    size_bytes: int

    @property
    def key(self) -> str:
        return self.path.name.removesuffix(SUFFIX)


class CorruptEntryError(Exception):
    """A stored fit that cannot be read, or whose content or inputs do not match."""


def _entry_metadata(path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        return json.loads((schema.metadata or {})[METADATA_KEY])
    except FileNotFoundError:
        raise
    except Exception as exc:  # anything unreadable is corrupt
        raise CorruptEntryError(f"unreadable ({type(exc).__name__}: {exc})") from exc


def read_entry(path: Path, inputs: dict[str, Any]) -> pd.DataFrame:
    """The stored table, verified: raise CorruptEntryError when the file cannot be read, was made
    from other inputs, or its content does not match its digest; FileNotFoundError when gone."""
    import pyarrow.parquet as pq

    stored = _entry_metadata(path)
    if stored.get("inputs") != inputs:
        raise CorruptEntryError("its recorded inputs differ from this build's")
    try:
        frame = pq.read_table(path).to_pandas()
    except FileNotFoundError:
        raise
    except Exception as exc:  # anything unreadable is corrupt
        raise CorruptEntryError(f"unreadable ({type(exc).__name__}: {exc})") from exc
    if content_digest(frame) != stored.get("content"):
        raise CorruptEntryError("its content does not match the digest written with it")
    return frame


def content_digest(frame: pd.DataFrame) -> str:
    """A digest of a stored table as read back: values, column order and dtypes."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    digest.update(frame.to_csv(index=False, lineterminator="\n", na_rep="<null>").encode())
    return digest.hexdigest()


def write_entry(folder: Path, key: str, frame: pd.DataFrame, inputs: dict[str, Any]) -> Path:
    """Store `frame` as `<key>.parquet`: written to a temporary file, then renamed into place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # the digest of the table as it will read back (the round trip is what a hit returns)
    content = content_digest(table.to_pandas())
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta = json.dumps({"inputs": inputs, "content": content, "written_at": stamp})
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           METADATA_KEY: meta.encode("utf-8")})
    handle, name = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=folder)
    os.close(handle)
    partial = Path(name)
    try:
        pq.write_table(table, partial)
        target = folder / f"{key}{SUFFIX}"
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def entries(folder: Path) -> list[Entry]:
    """The stored fits, most recently used first (unreadable files listed with no inputs)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            stat = path.stat()
            meta = _entry_metadata(path)
        except FileNotFoundError:
            continue
        except CorruptEntryError:
            meta = {}
        found.append((stat.st_mtime, Entry(path, meta.get("inputs", {}),
                                           str(meta.get("written_at", "")),
                                           _rows(path), stat.st_size)))
    return [entry for _, entry in sorted(found, key=lambda item: -item[0])]


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # a corrupt entry has no row count
        return -1


def prune(folder: Path, keep: int | None = None) -> list[Path]:
    """Remove all but the `keep` (default `KEEP`) most recently used entries, and temporary
    files of writes that stopped more than an hour ago; return what was removed."""
    removed = []
    paths = sorted(folder.glob(f"*{SUFFIX}"), key=_mtime, reverse=True)
    for path in paths[KEEP if keep is None else keep:]:
        path.unlink(missing_ok=True)
        removed.append(path)
    now = dt.datetime.now().timestamp()
    for path in folder.glob(".*.tmp"):
        if now - _mtime(path) > 3600:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def clear(folder: Path) -> int:
    """Remove every entry (and temporary file) of the store; return how many files went."""
    if not folder.is_dir():
        return 0
    gone = 0
    for path in [*folder.glob(f"*{SUFFIX}"), *folder.glob(".*.tmp")]:
        path.unlink(missing_ok=True)
        gone += 1
    return gone


# ---------------------------------------------------------------------------------------------
# the model's entry point


def stored_or_fitted(
    counts: pd.DataFrame,
    settings: dict[str, Any],
    fit: Callable[[], pd.DataFrame],
    folder: Path | None,
    say: Say = _print,
    name: str = "int_trajectory_fits",
) -> pd.DataFrame:
    """The stored table for these inputs, or `fit()` stored for the next build.

    `settings` are every setting `fit` uses; with `folder` None the store is off. A store that
    cannot be written is reported and the fitted table returned: the store never fails a build.
    """
    if folder is None:
        say(f"{name}: fit store off ({OFF}): fitting")
        return fit()
    inputs = key_inputs(counts, settings)
    key = key_of(inputs)
    path = folder / f"{key}{SUFFIX}"
    try:
        frame = read_entry(path, inputs)
    except FileNotFoundError:
        say(f"{name}: no stored fit for these inputs (key {key}): fitting")
    except CorruptEntryError as exc:
        say(f"{name}: the stored fit {path} is not used, {exc}: fitting again")
    else:
        _touch(path)
        say(f"{name}: stored fit reused, key {key} ({path})")
        return frame
    frame = fit()
    try:
        written = write_entry(folder, key, frame, inputs)
        prune(folder)
    except OSError as exc:
        say(f"{name}: the fit could not be stored in {folder} ({exc.strerror or exc}); "
            "the next build fits again")
    else:
        say(f"{name}: fit stored, key {key} ({written})")
    return frame


def _touch(path: Path) -> None:
    """Mark an entry as just used (pruning keeps the most recently used)."""
    with contextlib.suppress(OSError):  # a read-only store still serves its entries
        os.utime(path)
