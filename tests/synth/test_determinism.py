"""Same seed, size and format give byte-identical files; another seed gives other files."""

from __future__ import annotations

from pathlib import Path

import pytest

from blsu_synth import generate


def _bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("fmt", ["parquet", "sav"])
def test_same_seed_gives_byte_identical_files(
    tmp_path: Path, small_by_format: dict[str, Path], fmt: str
) -> None:
    again = tmp_path / "again"
    generate(again, size="small", seed=20240201, fmt=fmt, progress=False)
    assert _bytes(again) == _bytes(small_by_format[fmt])


def test_other_seed_gives_different_files(tmp_path: Path, small_parquet: Path) -> None:
    other = tmp_path / "other"
    generate(other, size="small", seed=7, progress=False)
    first, second = _bytes(small_parquet), _bytes(other)
    assert first.keys() == second.keys()
    assert (
        first["GBAPERSOONTAB/GBAPERSOON2023TABV1.parquet"]
        != second["GBAPERSOONTAB/GBAPERSOON2023TABV1.parquet"]
    )
    assert first["manifest.json"] != second["manifest.json"]


def test_sav_header_creation_stamp_is_fixed(small_by_format: dict[str, Path]) -> None:
    sav = small_by_format["sav"] / "BLSU_STEEKPROEF" / "BLSU_STEEKPROEF.sav"
    assert sav.read_bytes()[92:109] == b"01 Jan 2400:00:00"
