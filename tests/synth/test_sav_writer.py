"""The streaming .sav writer: chunks in, the same rows out through pyreadstat."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyreadstat
import pytest

from blsu_synth.sav_writer import SavWriter

COLUMNS = ["RINPERSOONS", "RINPERSOON", "GBAGEBOORTEJAAR", "FEITCODE"]


def chunk(rows: list[tuple[str | None, ...]]) -> pa.Table:
    return pa.table({c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)})


def test_rows_written_in_chunks_read_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "x.sav"
    writer = SavWriter(path, COLUMNS)
    writer.write(chunk([("R", "000000001", "1990", "SR:273F"), ("X", "", None, "ë 1")]))
    writer.write(chunk([("R", f"00000001{i}", "2001", "WVW") for i in range(7)]))
    writer.close()
    frame, meta = pyreadstat.read_sav(str(path))
    assert meta.number_rows == 9 and list(frame.columns) == COLUMNS
    assert frame.iloc[0].tolist() == ["R", "000000001", "1990", "SR:273F"]
    assert frame.iloc[1].tolist() == ["X", "", "", "ë 1"]  # SPSS has no null text: blank
    assert frame["RINPERSOON"].tolist()[2:] == [f"00000001{i}" for i in range(7)]
    assert path.read_bytes()[92:109] == b"01 Jan 2400:00:00"


def test_a_value_longer_than_the_first_chunk_allows_names_its_column(tmp_path: Path) -> None:
    writer = SavWriter(tmp_path / "x.sav", COLUMNS)
    writer.write(chunk([("R", "1", "1990", "A")]))
    with pytest.raises(ValueError, match="column FEITCODE"):
        writer.write(chunk([("R", "2", "1990", "A" * 40)]))


def test_no_rows_is_a_file_without_cases(tmp_path: Path) -> None:
    writer = SavWriter(tmp_path / "x.sav", COLUMNS)
    writer.close()
    frame, meta = pyreadstat.read_sav(str(tmp_path / "x.sav"))
    assert meta.number_rows == 0 and list(frame.columns) == COLUMNS
