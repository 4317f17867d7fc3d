"""A streaming writer of SPSS system files (.sav) with text columns, in bounded memory.

pyreadstat writes a .sav file from one whole data frame; a national register (24 million rows)
does not fit that way. This writer emits the dictionary first, then the cases chunk by chunk,
bytecode-compressed (as SPSS itself writes them), and puts the number of cases into the header
when it is closed. Only what the raw extracts need: string variables of up to 255 bytes, long
variable names, UTF-8, and a fixed creation date and time so that the same rows give the same
bytes. The width of each variable is fixed by the first chunk (twice its longest value, rounded
up to 8 bytes; blank 8-byte segments cost one command byte); a later value that is longer is an
error naming the column.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEADER = struct.Struct("<4s60siiiiid9s8s64s3s")
_NCASES_OFFSET = 4 + 60 + 4 * 4
_BIAS = 100.0
_PRODUCT = b"@(#) SPSS DATA FILE - blsu_synth streaming writer"
_DATE, _TIME = b"01 Jan 24", b"00:00:00"
_BLANK_WORD = np.frombuffer(b" " * 8, np.uint64)[0]
_SLICE_ROWS = 200_000
_RAW, _BLANK, _END = 253, 254, 252
_MAX_WIDTH = 255


class SavWriter:
    """Write a table of text columns into `path` chunk by chunk (`write`, then `close`)."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        self.rows = 0
        self._widths: list[int] | None = None
        self._fh: BinaryIO | None = None
        self._pending = np.empty(0, np.uint64)  # 8-byte segments of an unfinished block

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._widths is None:
            self._open([_width(name, table.column(name)) for name in self.columns])
        assert self._widths is not None
        for start in range(0, table.num_rows, _SLICE_ROWS):
            part = table.slice(start, _SLICE_ROWS)
            cells = [
                _fixed_width(name, part.column(name), width)
                for name, width in zip(self.columns, self._widths, strict=True)
            ]
            words = np.ascontiguousarray(np.concatenate(cells, axis=1)).view(np.uint64).ravel()
            self._emit(np.concatenate([self._pending, words]))
        self.rows += table.num_rows

    def _open(self, widths: list[int]) -> None:
        self._widths = widths
        self._fh = self.path.open("wb")
        self._fh.write(_dictionary(self.columns, widths))

    def _emit(self, segments: np.ndarray) -> None:
        """Write the whole blocks of `segments` (8 command bytes, then the raw segments);
        keep the rest for the next chunk."""
        assert self._fh is not None
        n_whole = len(segments) // 8 * 8
        self._pending = segments[n_whole:].copy()
        self._fh.write(_compress(segments[:n_whole]))

    def close(self) -> None:
        if self._fh is None:  # no rows: a dictionary of 8-byte variables and no cases
            self._open([8] * len(self.columns))
        assert self._fh is not None
        if len(self._pending):
            codes = np.zeros(8, np.uint8)
            raw = self._pending != _BLANK_WORD
            codes[: len(self._pending)] = np.where(raw, _RAW, _BLANK)
            codes[len(self._pending)] = _END
            self._fh.write(codes.tobytes() + self._pending[raw].tobytes())
        self._fh.seek(_NCASES_OFFSET)
        self._fh.write(struct.pack("<i", self.rows))
        self._fh.close()


def _compress(words: np.ndarray) -> bytes:
    """Bytecode compression of whole blocks: per 8 segments (8-byte words), 8 command bytes
    (253: the 8 raw bytes follow, 254: eight spaces), then the block's raw segments."""
    if len(words) == 0:
        return b""
    raw = words != _BLANK_WORD
    codes = np.where(raw, _RAW, _BLANK).astype(np.uint8).view(np.uint64)  # one word per block
    raw_before = np.cumsum(raw) - raw
    n_blocks = len(words) // 8
    out = np.empty(n_blocks + int(raw.sum()), np.uint64)
    out[np.arange(n_blocks) + raw_before[::8]] = codes
    out[np.arange(len(words))[raw] // 8 + 1 + raw_before[raw]] = words[raw]
    return out.tobytes()


def _width(name: str, column: pa.ChunkedArray) -> int:
    longest = pc.max(pc.binary_length(column)).as_py() or 1
    if longest > _MAX_WIDTH:
        raise ValueError(f"column {name}: values longer than {_MAX_WIDTH} bytes")
    return min(_MAX_WIDTH // 8 * 8, max(8, -(-2 * longest // 8) * 8))  # room for longer values


def _fixed_width(name: str, column: pa.ChunkedArray, width: int) -> np.ndarray:
    """The column as an (n, width) byte matrix, values padded with spaces."""
    values = pc.fill_null(column, "").combine_chunks()
    longest = pc.max(pc.binary_length(values)).as_py() or 0
    if longest > width:
        raise ValueError(
            f"column {name}: a value is longer than the {width} bytes fixed by the first chunk"
        )
    padded = pc.utf8_rpad(values, width=width, padding=" ")
    _, offsets, data = padded.buffers()
    bounds = np.frombuffer(offsets, np.int32, len(padded) + 1, padded.offset * 4)[[0, -1]]
    if data is not None and bounds[1] - bounds[0] == len(padded) * width:
        return np.frombuffer(data, np.uint8, len(padded) * width, bounds[0]).reshape(-1, width)
    # some value is not ASCII (characters of several bytes): pad its bytes one by one
    cells = b"".join(v.encode().ljust(width) for v in values.to_pylist())
    return np.frombuffer(cells, np.uint8).reshape(-1, width)


def _dictionary(columns: list[str], widths: list[int]) -> bytes:
    """Header, variable records, long names, machine and encoding records, terminator."""
    segments = sum(w // 8 for w in widths)
    out = bytearray(
        _HEADER.pack(
            b"$FL2", _PRODUCT.ljust(60), 2, segments, 1, 0, -1, _BIAS, _DATE, _TIME,
            b"".ljust(64), b"\0\0\0",
        )
    )
    short = [f"V{i + 1}" for i in range(len(columns))]
    for name, width in zip(short, widths, strict=True):
        fmt = (1 << 16) | (width << 8)  # A format (type 1), width, no decimals
        out += struct.pack("<iiiiii8s", 2, width, 0, 0, fmt, fmt, name.encode().ljust(8))
        for _ in range(width // 8 - 1):  # continuation records of a long string
            out += struct.pack("<iiiiii8s", 2, -1, 0, 0, 0, 0, b" " * 8)
    out += _extension(3, 4, struct.pack("<8i", 1, 0, 0, -1, 1, 1, 2, 65001))
    out += _extension(4, 8, struct.pack("<3d", -1.7976931348623157e308,
                                        1.7976931348623157e308, -1.7976931348623155e308))
    long_names = "\t".join(f"{s}={n}" for s, n in zip(short, columns, strict=True)).encode()
    out += _extension(13, 1, long_names)
    out += _extension(20, 1, b"UTF-8")
    out += struct.pack("<ii", 999, 0)
    return bytes(out)


def _extension(subtype: int, size: int, payload: bytes) -> bytes:
    return struct.pack("<iiii", 7, subtype, size, len(payload) // size) + payload

